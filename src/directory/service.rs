use std::str::FromStr;

use chrono::NaiveDateTime;
use serde_json::json;

use super::{
    models::{
        Listing, ListingAudience, ListingChanges, ListingContacts, ListingDelivery, ListingEdit,
        ListingList, ListingModeration, ListingReview, ListingRow, ListingSchedule, ListingSearch,
        ListingStatus, ListingTimeZone, ListingWeekday, NewListing, Province, ReviewDecision,
    },
    repository::{self, ListingFilter},
};
use crate::{
    audit::{self, Entry},
    auth::AuthUser,
    db::{self, Conn},
    domain::{contact, role::STAFF, version::ExpectedVersion},
    error::{ApiError, FieldError},
    language::Language,
    pagination::{Cursor, PageRequest},
};

/// Audit resource type of listings.
const RESOURCE: &str = "directory_listing";
/// Longest free-text query, in characters.
const MAX_QUERY_CHARS: usize = 100;
/// Words of a free-text query that are searched for; the rest are ignored.
const MAX_QUERY_WORDS: usize = 10;
/// Tries of a write that keeps losing the race to concurrent writes.
const WRITE_ATTEMPTS: usize = 3;

/// Coordinators and admins moderate the directory and see every listing.
pub fn is_moderator(caller: Option<&AuthUser>) -> bool {
    caller.is_some_and(|c| c.role.is_staff())
}

/// A page of listings: published ones for everyone, any status for moderators who ask for it.
pub fn list(
    conn: &mut Conn,
    caller: Option<&AuthUser>,
    filter: &ListingSearch,
    page: &PageRequest,
) -> Result<ListingList, ApiError> {
    let status = filter.status.unwrap_or(ListingStatus::Published);
    if status != ListingStatus::Published {
        caller.ok_or(ApiError::Unauthorized)?.require(&STAFF)?;
    }
    let text = filter.q.as_deref().map(str::trim).unwrap_or("");
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::Validation(vec![FieldError::new(
            "q",
            "length",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        )]));
    }
    let filter = ListingFilter {
        status,
        province: filter.province,
        audience: filter.audience,
        delivery: filter.delivery,
        language: filter.language,
        patterns: fold_for_search(text)
            .split_whitespace()
            .take(MAX_QUERY_WORDS)
            .map(|word| format!("%{}%", escape_like(word)))
            .collect(),
    };
    let rows = repository::list(conn, &filter, page)?;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut tags = repository::tags(conn, &ids)?;
    let moderator = is_moderator(caller);
    Ok(ListingList {
        items: rows
            .into_iter()
            .map(|row| {
                let (audiences, languages) = tags.take(&row.id);
                to_listing(row, audiences, languages, moderator)
            })
            .collect(),
        next_cursor,
    })
}

/// A published listing; moderators see every listing, and a signed-in submitter their own
/// submission whatever its state.
pub fn get(conn: &mut Conn, caller: Option<&AuthUser>, id: &str) -> Result<Listing, ApiError> {
    let moderator = is_moderator(caller);
    let row = repository::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let submitter = caller.is_some_and(|c| row.submitted_by.as_deref() == Some(c.id.as_str()));
    if !moderator && !submitter && row.status != ListingStatus::Published {
        return Err(ApiError::NotFound);
    }
    load(conn, row, moderator)
}

/// A submission by anyone (anonymous, a partner, staff): it waits as `pending` for review.
pub fn submit(
    conn: &mut Conn,
    caller: Option<&AuthUser>,
    request: NewListing,
) -> Result<Listing, ApiError> {
    let content = Content::from_request(request)?;
    content.check()?;
    let now = db::now();
    let mut row = content.row(db::new_id(), ListingStatus::Pending, now);
    row.submitted_by = caller.map(|c| c.id.clone());
    row.submitted_by_role = caller.map(|c| c.role);
    db::write_transaction(conn, |conn| {
        repository::insert(conn, &row, &content.audiences, &content.languages)
    })?;
    Ok(to_listing(
        row,
        content.audiences,
        content.languages,
        is_moderator(caller),
    ))
}

/// Adds an already published listing with a fixed id (demo data); `false` when one with this id
/// exists already, so running it twice adds nothing.
pub fn add_published(
    conn: &mut Conn,
    id: &str,
    request: NewListing,
    note: &str,
    at: NaiveDateTime,
) -> Result<bool, ApiError> {
    validator::Validate::validate(&request)?;
    let content = Content::from_request(request)?;
    content.check()?;
    let mut row = content.row(id.to_string(), ListingStatus::Published, at);
    row.review_note = Some(note.to_string());
    row.reviewed_at = Some(at);
    db::write_transaction(conn, |conn| {
        if repository::exists(conn, id)? {
            return Ok(false);
        }
        repository::insert(conn, &row, &content.audiences, &content.languages)?;
        Ok(true)
    })
}

/// Publishes or rejects a pending listing (a rejection needs a note); audited.
pub fn review(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    review: &ListingReview,
    expected: &ExpectedVersion,
) -> Result<Listing, ApiError> {
    let note = clean(review.note.clone());
    if review.decision == ReviewDecision::Reject && note.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "note",
            "required",
            "is required to reject a listing: say why",
        )]));
    }
    let (to, action) = match review.decision {
        ReviewDecision::Publish => (ListingStatus::Published, "directory.published"),
        ReviewDecision::Reject => (ListingStatus::Rejected, "directory.rejected"),
    };
    write(conn, caller, id, expected, |_, row| {
        if row.status != ListingStatus::Pending {
            return Err(ApiError::Conflict(format!(
                "the listing is {}; only a pending listing can be reviewed",
                row.status
            )));
        }
        let mut edit = row.edit();
        edit.status = to;
        edit.review_note = note.clone();
        edit.reviewed_by = Some(caller.id.clone());
        edit.reviewed_at = Some(db::now());
        Ok(Some(Planned {
            edit,
            tags: None,
            action,
            details: json!({"from": row.status, "to": to}),
        }))
    })
}

/// Withdraws a listing from the directory, whatever its status; audited.
pub fn archive(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    expected: &ExpectedVersion,
) -> Result<Listing, ApiError> {
    write(conn, caller, id, expected, |_, row| {
        if row.status == ListingStatus::Archived {
            return Err(ApiError::Conflict("the listing is already archived".into()));
        }
        let mut edit = row.edit();
        edit.status = ListingStatus::Archived;
        Ok(Some(Planned {
            edit,
            tags: None,
            action: "directory.archived",
            details: json!({"from": row.status}),
        }))
    })
}

/// A coordinator's edit of any listing's content (its status changes only by review and
/// archive); audited with the names of the changed fields.
pub fn update(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    changes: &ListingChanges,
    expected: &ExpectedVersion,
) -> Result<Listing, ApiError> {
    write(conn, caller, id, expected, |conn, row| {
        let (audiences, languages) =
            repository::tags(conn, std::slice::from_ref(&row.id))?.take(&row.id);
        let before = Content::from_row(row, audiences, languages);
        let after = before.clone().apply(changes.clone())?;
        after.check()?;
        let changed = before.changed_fields(&after);
        if changed.is_empty() {
            return Ok(None);
        }
        let mut edit = row.edit();
        after.write_to(&mut edit);
        let tags = (changed.contains(&"audiences") || changed.contains(&"languages"))
            .then(|| (after.audiences.clone(), after.languages.clone()));
        Ok(Some(Planned {
            edit,
            tags,
            action: "directory.updated",
            details: json!({ "fields": changed }),
        }))
    })
}

/// A write planned from the listing as it was read.
struct Planned {
    edit: ListingEdit,
    /// New audience and language tags, when they change.
    tags: Option<(Vec<ListingAudience>, Vec<Language>)>,
    action: &'static str,
    details: serde_json::Value,
}

/// Reads the listing, checks `If-Match`, plans the write from what it read, and writes it only
/// if nobody changed the listing in between (the write comes first in its transaction, so
/// SQLite takes its lock up front). A lost race is tried again from a fresh read, where an
/// `If-Match` naming the old version now fails with 412.
fn write(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    expected: &ExpectedVersion,
    plan: impl Fn(&mut Conn, &ListingRow) -> Result<Option<Planned>, ApiError>,
) -> Result<Listing, ApiError> {
    for _ in 0..WRITE_ATTEMPTS {
        let row = repository::find(conn, id)?.ok_or(ApiError::NotFound)?;
        expected.check(row.version)?;
        let Some(mut planned) = plan(conn, &row)? else {
            // Nothing to change: the listing as it is.
            return load(conn, row, true);
        };
        planned.edit.version = row.version + 1;
        planned.edit.updated_at = db::now();
        let written = db::write_transaction(conn, |conn| {
            if repository::update_if_version(conn, id, row.version, &planned.edit)? == 0 {
                return Ok::<_, ApiError>(false);
            }
            if let Some((audiences, languages)) = &planned.tags {
                repository::replace_tags(conn, id, audiences, languages)?;
            }
            audit::record(
                conn,
                Entry::by(caller, planned.action, RESOURCE, id)
                    .with_details(planned.details.clone()),
            )?;
            Ok(true)
        })?;
        if written {
            let row = repository::find(conn, id)?.ok_or(ApiError::NotFound)?;
            return load(conn, row, true);
        }
    }
    Err(ApiError::Conflict(
        "the listing is being changed by someone else; try again".into(),
    ))
}

/// The API view of a stored listing, with its tags.
fn load(conn: &mut Conn, row: ListingRow, moderator: bool) -> Result<Listing, ApiError> {
    let (audiences, languages) =
        repository::tags(conn, std::slice::from_ref(&row.id))?.take(&row.id);
    Ok(to_listing(row, audiences, languages, moderator))
}

fn to_listing(
    row: ListingRow,
    audiences: Vec<ListingAudience>,
    languages: Vec<Language>,
    moderator: bool,
) -> Listing {
    Listing {
        moderation: moderator.then(|| ListingModeration {
            review_note: row.review_note,
            reviewed_by: row.reviewed_by,
            reviewed_at: row.reviewed_at.map(|t| t.and_utc()),
            submitted_by: row.submitted_by,
            submitted_by_role: row.submitted_by_role,
        }),
        id: row.id,
        organization: row.organization,
        name: row.name,
        description: row.description,
        audiences: in_vocabulary_order(audiences),
        eligibility: row.eligibility,
        province: row.province,
        city: row.city,
        delivery: row.delivery,
        schedule: Schedule {
            weekday: row.schedule_weekday,
            start_time: row.schedule_start_time,
            end_time: row.schedule_end_time,
            time_zone: row.schedule_time_zone,
            notes: row.schedule_notes,
        }
        .into(),
        languages: in_vocabulary_order(languages),
        cost: row.cost,
        contacts: ListingContacts {
            phone: row.contact_phone,
            email: row.contact_email,
            website: row.contact_website,
            available_24_7: row.available_24_7,
        },
        status: row.status,
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    }
}

/// Tags once each, in the order of their vocabulary.
fn in_vocabulary_order<T: Ord>(mut tags: Vec<T>) -> Vec<T> {
    tags.sort();
    tags.dedup();
    tags
}

/// A word of a request, already checked by its validator, as its vocabulary's value.
fn word<T: FromStr<Err = String>>(field: &str, text: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|why| ApiError::Validation(vec![FieldError::new(field, "one_of", why)]))
}

/// Words of a request, already checked by their validator, as their vocabulary's values.
fn words<T: FromStr<Err = String>>(field: &str, texts: &[String]) -> Result<Vec<T>, ApiError> {
    texts.iter().map(|text| word(field, text)).collect()
}

/// Trimmed; blank is absent.
fn clean(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// When a listed group meets, in the vocabularies (`ListingSchedule` is its text form).
#[derive(Debug, Clone, Default, PartialEq)]
struct Schedule {
    weekday: Option<ListingWeekday>,
    start_time: Option<String>,
    end_time: Option<String>,
    time_zone: Option<ListingTimeZone>,
    notes: Option<String>,
}

impl Schedule {
    fn from_request(schedule: ListingSchedule) -> Result<Schedule, ApiError> {
        Ok(Schedule {
            weekday: schedule
                .weekday
                .map(|w| word("schedule.weekday", &w))
                .transpose()?,
            start_time: schedule.start_time,
            end_time: schedule.end_time,
            time_zone: schedule
                .time_zone
                .map(|z| word("schedule.time_zone", &z))
                .transpose()?,
            notes: schedule.notes,
        })
    }
}

impl From<Schedule> for ListingSchedule {
    fn from(schedule: Schedule) -> ListingSchedule {
        ListingSchedule {
            weekday: schedule.weekday.map(|w| w.to_string()),
            start_time: schedule.start_time,
            end_time: schedule.end_time,
            time_zone: schedule.time_zone.map(|z| z.to_string()),
            notes: schedule.notes,
        }
    }
}

/// A listing's content, normalized (trimmed, blanks absent, tags ordered and unique).
#[derive(Debug, Clone, PartialEq)]
struct Content {
    organization: String,
    name: String,
    description: String,
    audiences: Vec<ListingAudience>,
    eligibility: Option<String>,
    province: Province,
    city: Option<String>,
    delivery: ListingDelivery,
    schedule: Schedule,
    languages: Vec<Language>,
    cost: Option<String>,
    contacts: ListingContacts,
}

impl Content {
    /// The content of a request its validators accepted.
    fn from_request(request: NewListing) -> Result<Content, ApiError> {
        Ok(Content {
            organization: request.organization,
            name: request.name,
            description: request.description,
            audiences: words("audiences", &request.audiences)?,
            eligibility: request.eligibility,
            province: word("province", &request.province)?,
            city: request.city,
            delivery: word("delivery", &request.delivery)?,
            schedule: Schedule::from_request(request.schedule)?,
            languages: words("languages", &request.languages)?,
            cost: request.cost,
            contacts: request.contacts,
        }
        .normalized())
    }

    fn from_row(
        row: &ListingRow,
        audiences: Vec<ListingAudience>,
        languages: Vec<Language>,
    ) -> Content {
        Content {
            organization: row.organization.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            audiences,
            eligibility: row.eligibility.clone(),
            province: row.province,
            city: row.city.clone(),
            delivery: row.delivery,
            schedule: Schedule {
                weekday: row.schedule_weekday,
                start_time: row.schedule_start_time.clone(),
                end_time: row.schedule_end_time.clone(),
                time_zone: row.schedule_time_zone,
                notes: row.schedule_notes.clone(),
            },
            languages,
            cost: row.cost.clone(),
            contacts: ListingContacts {
                phone: row.contact_phone.clone(),
                email: row.contact_email.clone(),
                website: row.contact_website.clone(),
                available_24_7: row.available_24_7,
            },
        }
        .normalized()
    }

    /// The content with the changes its validators accepted.
    fn apply(mut self, changes: ListingChanges) -> Result<Content, ApiError> {
        let ListingChanges {
            organization,
            name,
            description,
            audiences,
            eligibility,
            province,
            city,
            delivery,
            schedule,
            languages,
            cost,
            contacts,
        } = changes;
        if let Some(v) = organization {
            self.organization = v;
        }
        if let Some(v) = name {
            self.name = v;
        }
        if let Some(v) = description {
            self.description = v;
        }
        if let Some(v) = audiences {
            self.audiences = words("audiences", &v)?;
        }
        if let Some(v) = eligibility {
            self.eligibility = v;
        }
        if let Some(v) = province {
            self.province = word("province", &v)?;
        }
        if let Some(v) = city {
            self.city = v;
        }
        if let Some(v) = delivery {
            self.delivery = word("delivery", &v)?;
        }
        if let Some(v) = schedule {
            self.schedule = Schedule::from_request(v)?;
        }
        if let Some(v) = languages {
            self.languages = words("languages", &v)?;
        }
        if let Some(v) = cost {
            self.cost = v;
        }
        if let Some(v) = contacts {
            self.contacts = v;
        }
        Ok(self.normalized())
    }

    fn normalized(self) -> Content {
        Content {
            organization: self.organization.trim().to_string(),
            name: self.name.trim().to_string(),
            description: self.description.trim().to_string(),
            audiences: in_vocabulary_order(self.audiences),
            eligibility: clean(self.eligibility),
            province: self.province,
            city: clean(self.city),
            delivery: self.delivery,
            schedule: Schedule {
                notes: clean(self.schedule.notes),
                ..self.schedule
            },
            languages: in_vocabulary_order(self.languages),
            cost: clean(self.cost),
            contacts: ListingContacts {
                phone: clean(self.contacts.phone),
                email: clean(self.contacts.email),
                website: clean(self.contacts.website).map(|w| contact::normal_web_address(&w)),
                available_24_7: self.contacts.available_24_7,
            },
        }
    }

    /// Rules across fields, which each field's own validation cannot see.
    fn check(&self) -> Result<(), ApiError> {
        let s = &self.schedule;
        let mut errors = Vec::new();
        match (&s.start_time, &s.end_time) {
            (None, Some(_)) => errors.push(FieldError::new(
                "schedule.end_time",
                "requires",
                "needs a start_time",
            )),
            // Both are HH:MM, so text order is time order.
            (Some(start), Some(end)) if end <= start => errors.push(FieldError::new(
                "schedule.end_time",
                "after",
                "must be after start_time",
            )),
            _ => {}
        }
        if s.start_time.is_some() && s.time_zone.is_none() {
            errors.push(FieldError::new(
                "schedule.time_zone",
                "required",
                "is required with a start_time",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// The names of the request fields that differ.
    fn changed_fields(&self, other: &Content) -> Vec<&'static str> {
        [
            ("organization", self.organization != other.organization),
            ("name", self.name != other.name),
            ("description", self.description != other.description),
            ("audiences", self.audiences != other.audiences),
            ("eligibility", self.eligibility != other.eligibility),
            ("province", self.province != other.province),
            ("city", self.city != other.city),
            ("delivery", self.delivery != other.delivery),
            ("schedule", self.schedule != other.schedule),
            ("languages", self.languages != other.languages),
            ("cost", self.cost != other.cost),
            ("contacts", self.contacts != other.contacts),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect()
    }

    fn search_text(&self) -> String {
        let city = self.city.as_deref().unwrap_or("");
        fold_for_search(&format!(
            "{}\n{}\n{}\n{}",
            self.organization, self.name, self.description, city
        ))
    }

    fn write_to(&self, edit: &mut ListingEdit) {
        edit.organization = self.organization.clone();
        edit.name = self.name.clone();
        edit.description = self.description.clone();
        edit.eligibility = self.eligibility.clone();
        edit.province = self.province;
        edit.city = self.city.clone();
        edit.delivery = self.delivery;
        edit.schedule_weekday = self.schedule.weekday;
        edit.schedule_start_time = self.schedule.start_time.clone();
        edit.schedule_end_time = self.schedule.end_time.clone();
        edit.schedule_time_zone = self.schedule.time_zone;
        edit.schedule_notes = self.schedule.notes.clone();
        edit.cost = self.cost.clone();
        edit.contact_phone = self.contacts.phone.clone();
        edit.contact_email = self.contacts.email.clone();
        edit.contact_website = self.contacts.website.clone();
        edit.available_24_7 = self.contacts.available_24_7;
        edit.search_text = self.search_text();
    }

    fn row(&self, id: String, status: ListingStatus, now: NaiveDateTime) -> ListingRow {
        ListingRow {
            id,
            organization: self.organization.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            eligibility: self.eligibility.clone(),
            province: self.province,
            city: self.city.clone(),
            delivery: self.delivery,
            schedule_weekday: self.schedule.weekday,
            schedule_start_time: self.schedule.start_time.clone(),
            schedule_end_time: self.schedule.end_time.clone(),
            schedule_time_zone: self.schedule.time_zone,
            schedule_notes: self.schedule.notes.clone(),
            cost: self.cost.clone(),
            contact_phone: self.contacts.phone.clone(),
            contact_email: self.contacts.email.clone(),
            contact_website: self.contacts.website.clone(),
            available_24_7: self.contacts.available_24_7,
            status,
            review_note: None,
            reviewed_by: None,
            reviewed_at: None,
            submitted_by: None,
            submitted_by_role: None,
            search_text: self.search_text(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Text as free-text search compares it, the same on every backend (SQLite's `lower` folds
/// ASCII only): lower case, French and other Latin accents removed, periods dropped (so that
/// `heart` finds "H.E.A.R.T."), typographic apostrophes made plain.
pub fn fold_for_search(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| *c != '.')
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            '’' | '‘' => '\'',
            other => other,
        })
        .collect()
}

/// `text` taken literally inside a `LIKE … ESCAPE '\'` pattern.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_folds_case_accents_and_periods() {
        assert_eq!(
            fold_for_search("H.E.A.R.T. (Heart) Group"),
            "heart (heart) group"
        );
        assert_eq!(fold_for_search("ÉCOLE Québec"), "ecole quebec");
        assert_eq!(fold_for_search("St. Stephen’s"), "st stephen's");
        assert_eq!(escape_like("100%_\\"), "100\\%\\_\\\\");
    }

    #[test]
    fn schedules_need_a_zone_and_an_end_after_the_start() {
        let mut content = Content::from_request(NewListing {
            organization: " Org ".into(),
            name: "Group".into(),
            description: "About".into(),
            audiences: vec!["veterans".into(), "police".into(), "police".into()],
            eligibility: Some("  ".into()),
            province: "ON".into(),
            city: None,
            delivery: "virtual".into(),
            schedule: ListingSchedule::default(),
            languages: vec!["fr".into(), "en".into()],
            cost: None,
            contacts: ListingContacts::default(),
        })
        .expect("known words");
        assert_eq!(content.organization, "Org");
        assert_eq!(
            content.audiences,
            [ListingAudience::Police, ListingAudience::Veterans]
        );
        assert_eq!(content.languages, [Language::En, Language::Fr]);
        assert_eq!(content.eligibility, None);
        assert!(content.check().is_ok());
        content.schedule.start_time = Some("19:00".into());
        content.schedule.end_time = Some("18:00".into());
        let Err(ApiError::Validation(errors)) = content.check() else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["schedule.end_time", "schedule.time_zone"]);
    }
}
