use serde_json::json;

use super::{
    models::{
        ChangePassword, CreateUser, Me, UpdateMe, UpdateUser, User, UserFilter, UserList, UserRow,
        DEFAULT_CONTACT_METHODS,
    },
    repository,
};
use crate::{
    audit::{self, Entry},
    auth::{self, passwords, AuthUser, Role},
    db::{self, Conn, DbPool},
    domain::PROGRAM_TIME_ZONE,
    error::{ApiError, FieldError},
    language::Language,
    mail::Letter,
    pagination::{Cursor, PageRequest},
};

/// The account with this id, disabled or not: for the resources that act on accounts.
pub fn find_account(conn: &mut Conn, id: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(repository::find(conn, id)?)
}

/// The account registered with this email (compared lower-cased), disabled or not.
/// The accounts with these ids, by id, in one query (for a page of records naming people).
pub fn find_accounts(
    conn: &mut Conn,
    ids: &[String],
) -> Result<std::collections::HashMap<String, UserRow>, ApiError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(repository::find_many(conn, ids)?
        .into_iter()
        .map(|user| (user.id.clone(), user))
        .collect())
}

pub fn account_by_email(conn: &mut Conn, email: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(repository::find_by_email(conn, email)?)
}

/// Stores a new account made by [`new_account`]; `false` when its email is taken. On
/// PostgreSQL the refused insert leaves the surrounding transaction unusable: end it.
pub fn add_account(conn: &mut Conn, account: &UserRow) -> Result<bool, ApiError> {
    match repository::insert(conn, account) {
        Ok(()) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// The caller's own account.
pub fn me(conn: &mut Conn, caller: &AuthUser) -> Result<Me, ApiError> {
    repository::find(conn, &caller.id)?
        .ok_or(ApiError::NotFound)?
        .try_into()
}

/// Changes the caller's profile and contact choices. A phone or text-message contact needs a
/// phone number, in this change or already on the account.
pub fn update_me(conn: &mut Conn, caller: &AuthUser, changes: UpdateMe) -> Result<Me, ApiError> {
    db::write_transaction(conn, |conn| {
        let user = repository::find(conn, &caller.id)?.ok_or(ApiError::NotFound)?;
        let methods = match changes.contact_methods {
            Some(methods) => methods,
            None => user.reach_by()?,
        };
        let phone = match &changes.phone {
            Some(phone) => phone.as_deref().map(|p| p.trim().to_string()),
            None => user.phone.clone(),
        };
        if phone.is_none() {
            if let Some(method) = methods.iter().find(|m| m.needs_phone()) {
                let field = if changes.phone.is_some() {
                    "phone"
                } else {
                    "contact_methods"
                };
                return Err(ApiError::Validation(vec![FieldError::new(
                    field,
                    "phone_required",
                    format!("{method} needs a phone number"),
                )]));
            }
        }
        let now = db::now();
        let display_name = changes.display_name.unwrap_or(user.display_name);
        let language = changes
            .preferred_language
            .unwrap_or(user.preferred_language);
        repository::update_profile(conn, &caller.id, display_name.trim(), language, now)?;
        repository::update_contact(
            conn,
            &caller.id,
            &serde_json::to_string(&methods).map_err(|_| ApiError::Internal)?,
            changes.time_zone.as_deref().unwrap_or(&user.time_zone),
            changes.discreet.unwrap_or(user.discreet),
            phone.as_deref(),
            now,
        )?;
        me(conn, caller)
    })
}

/// Checks the current password, stores the new one and ends every other session of the caller.
/// Both hashes are computed holding no pooled connection (they take tens of milliseconds of
/// CPU by design): a burst of wrong attempts that held connections through them starved every
/// other request of the pool.
pub fn change_password(
    pool: &DbPool,
    caller: &AuthUser,
    change: &ChangePassword,
) -> Result<(), ApiError> {
    let user = repository::find(&mut *pool.get()?, &caller.id)?.ok_or(ApiError::NotFound)?;
    if !passwords::verify(&change.current_password, &user.password_hash) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "current_password",
            "mismatch",
            "is not the current password",
        )]));
    }
    let hash = passwords::hash(&change.new_password);
    db::write_transaction(&mut *pool.get()?, |conn| {
        repository::update_password(conn, &caller.id, &hash, db::now())?;
        auth::service::end_sessions_of(conn, &caller.id, caller.session_id.as_deref())?;
        audit::record(
            conn,
            Entry::by(caller, "user.password_changed", "user", &caller.id),
        )
    })
}

/// What an erased account is called wherever a name is shown.
pub const ERASED_DISPLAY_NAME: &str = "Erased account";

/// The unroutable, unique address that replaces an erased account's email (`.invalid` is
/// reserved by RFC 2606: no mail can ever go there).
pub fn erased_email(id: &str) -> String {
    format!("erased+{id}@invalid")
}

/// Erases an account's own fields, in the caller's transaction: the email becomes
/// [`erased_email`], the name [`ERASED_DISPLAY_NAME`], the password matches nothing, and the
/// account is disabled for good. `false` when it was erased already (a concurrent erasure).
pub fn erase_account(conn: &mut Conn, id: &str) -> Result<bool, ApiError> {
    Ok(repository::erase(
        conn,
        id,
        &erased_email(id),
        ERASED_DISPLAY_NAME,
        passwords::ERASED,
        db::now(),
    )? > 0)
}

/// Stores a new password hash (a reset through a mailed link: `auth` checks the token).
pub fn set_password_hash(conn: &mut Conn, id: &str, hash: &str) -> Result<(), ApiError> {
    repository::update_password(conn, id, hash, db::now())?;
    Ok(())
}

/// A second sign-up with the address of an unverified peer account takes it over: the new
/// registrant's password, name and language (`auth` kills the earlier links).
pub fn replace_pending_signup(
    conn: &mut Conn,
    id: &str,
    account: &UserRow,
) -> Result<(), ApiError> {
    let now = db::now();
    repository::update_password(conn, id, &account.password_hash, now)?;
    repository::update_profile(
        conn,
        id,
        &account.display_name,
        account.preferred_language,
        now,
    )?;
    Ok(())
}

/// A new account. `password_hash` is computed by the caller (off the async workers).
pub fn new_account(
    email: &str,
    password_hash: String,
    display_name: &str,
    role: Role,
    language: Language,
) -> UserRow {
    let now = db::now();
    UserRow {
        id: db::new_id(),
        email: email.trim().to_lowercase(),
        password_hash,
        display_name: display_name.trim().to_string(),
        role,
        preferred_language: language,
        disabled: false,
        created_at: now,
        updated_at: now,
        contact_methods: json!(DEFAULT_CONTACT_METHODS).to_string(),
        time_zone: PROGRAM_TIME_ZONE.name().to_string(),
        discreet: false,
        phone: None,
        erased_at: None,
    }
}

/// A staff account with no password yet, and the set-your-password link to mail to its
/// address (the admin never chooses the password). No password is hashed here: creating
/// accounts holds a pooled connection for a few queries only.
pub fn create_user(
    conn: &mut Conn,
    caller: &AuthUser,
    request: &CreateUser,
    app_url: &str,
) -> Result<(User, Letter), ApiError> {
    if !request.role.is_account_role() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "role",
            "role",
            "partners are clients, created with POST /partners",
        )]));
    }
    if repository::find_by_email(conn, &request.email)?.is_some() {
        return Err(ApiError::Conflict(
            "an account with this email already exists".into(),
        ));
    }
    let row = new_account(
        &request.email,
        passwords::NO_PASSWORD_YET.to_string(),
        &request.display_name,
        request.role,
        request.preferred_language,
    );
    let letter = db::write_transaction(conn, |conn| {
        repository::insert(conn, &row)?;
        audit::record(
            conn,
            Entry::by(caller, "user.created", "user", &row.id)
                .with_details(json!({"role": row.role})),
        )?;
        auth::service::set_password_letter(conn, &row, app_url)
    })?;
    Ok((User::from(row), letter))
}

pub fn get_user(conn: &mut Conn, id: &str) -> Result<User, ApiError> {
    repository::find(conn, id)?
        .map(User::from)
        .ok_or(ApiError::NotFound)
}

pub fn list_users(
    conn: &mut Conn,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<UserList, ApiError> {
    let rows = repository::list(conn, filter, page)?;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    Ok(UserList {
        items: rows.into_iter().map(User::from).collect(),
        next_cursor,
    })
}

/// Changes an account's role, disabled flag or display name. A role change or disabling ends
/// the account's sessions at once; the last active admin cannot be demoted or disabled.
pub fn update_user(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &super::Reactions,
    id: &str,
    changes: &UpdateUser,
) -> Result<User, ApiError> {
    if changes.role == Some(Role::Partner) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "role",
            "role",
            "partners are clients, created with POST /partners",
        )]));
    }
    db::write_transaction(conn, |conn| {
        // One change to accounts' roles or access at a time: two admins demoting each other at
        // once would each still count the other and leave none (READ COMMITTED).
        db::lock_name(conn, "account roles and access")?;
        let user = repository::find(conn, id)?.ok_or(ApiError::NotFound)?;
        if user.erased_at.is_some() {
            return Err(ApiError::Conflict(
                "the account was erased by its owner and cannot be changed".into(),
            ));
        }
        let old_role = user.role;
        let new_role = changes.role.unwrap_or(old_role);
        let disabled = changes.disabled.unwrap_or(user.disabled);
        let now = db::now();
        if let Some(name) = &changes.display_name {
            repository::update_profile(conn, id, name.trim(), user.preferred_language, now)?;
        }
        repository::update_access(conn, id, new_role, disabled, now)?;
        let was_active_admin = old_role == Role::Admin && !user.disabled;
        let stays_active_admin = new_role == Role::Admin && !disabled;
        if was_active_admin
            && !stays_active_admin
            && repository::count_other_active_admins(conn, id)? == 0
        {
            return Err(ApiError::Conflict(
                "the last active admin cannot be demoted or disabled".into(),
            ));
        }
        if new_role != old_role {
            audit::record(
                conn,
                Entry::by(caller, "user.role_changed", "user", id)
                    .with_details(json!({"from": old_role, "to": new_role})),
            )?;
        }
        if disabled != user.disabled {
            let action = if disabled {
                "user.disabled"
            } else {
                "user.enabled"
            };
            audit::record(conn, Entry::by(caller, action, "user", id))?;
        }
        if new_role != old_role || disabled != user.disabled {
            (reactions.access_changed)(conn, id)?;
        }
        if new_role != old_role || (disabled && !user.disabled) {
            auth::service::end_sessions_of(conn, id, None)?;
        }
        get_user(conn, id)
    })
}

/// `peer-support-api create-admin`: an admin account made from the command line (audited with
/// no actor).
pub fn create_first_admin(
    database_url: &str,
    email: &str,
    password: &str,
    display_name: &str,
) -> Result<String, String> {
    let request = CreateUser {
        email: email.to_string(),
        display_name: display_name.to_string(),
        role: Role::Admin,
        preferred_language: Language::En,
    };
    validator::Validate::validate(&request).map_err(|e| format!("invalid admin: {e}"))?;
    if (password.chars().count() as u64) < passwords::MIN_PASSWORD_CHARS {
        return Err(format!(
            "invalid admin: the password must have at least {} characters",
            passwords::MIN_PASSWORD_CHARS
        ));
    }
    let mut conn = db::ConnectionManager::new(database_url)
        .establish()
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    if repository::find_by_email(&mut conn, email)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!("an account with email {email} already exists"));
    }
    let row = new_account(
        email,
        passwords::hash(password),
        display_name,
        Role::Admin,
        Language::En,
    );
    db::write_transaction(&mut conn, |conn| {
        repository::insert(conn, &row)?;
        // Whoever runs the command line holds the server: the address needs no link.
        auth::service::mark_verified(conn, &row.id)?;
        audit::record(
            conn,
            Entry {
                actor: None,
                request_id: None,
                action: "user.created",
                resource_type: "user",
                resource_id: Some(&row.id),
                details: Some(json!({"role": Role::Admin, "via": "command line"})),
            },
        )
    })
    .map_err(|e: ApiError| format!("cannot create the admin: {e}"))?;
    Ok(row.id)
}
