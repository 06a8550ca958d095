//! `peer-support-api seed-demo`: demo accounts (one per role), a partner client, consent
//! documents, program groups with sessions, and directory listings of public organizations — never private persons.

use chrono::{Datelike, Duration, TimeZone, Utc, Weekday};

use crate::{
    auth::{passwords, tokens, AuthUser, Role},
    config::{AppEnv, Config},
    consent::{
        self,
        models::{ConsentKind, CreateDocument},
    },
    db::{self, Conn},
    directory,
    domain::version::ExpectedVersion,
    error::ApiError,
    groups::{
        self,
        models::{Audience, CreateGroup, CreateSessions, GroupKind, GroupStatus, UpdateGroup},
    },
    language::Language,
    partners::{self, models::CreatePartner},
    users,
};

const DEMO_DOMAIN: &str = "demo.peer-support.example";

/// One demo account and its generated password.
pub struct DemoAccount {
    pub role: Role,
    pub email: String,
    pub password: String,
}

/// What `seed-demo` made, to print.
pub struct DemoData {
    pub accounts: Vec<DemoAccount>,
    pub partner_client_id: String,
    pub partner_client_secret: String,
    pub groups: usize,
    pub sessions: usize,
    pub listings: usize,
    pub consent_documents: usize,
}

/// Version 1 of each consent document, in English and French.
const CONSENT_DOCUMENTS: [(ConsentKind, &str, &str, &str, &str); 5] = [
    (
        ConsentKind::CodeOfConduct,
        "Code of conduct",
        "We treat each other with respect, listen without judging, speak for ourselves, keep what others share in the group, and take care of our own safety and others'.",
        "Code de conduite",
        "Nous nous traitons avec respect, écoutons sans juger, parlons en notre nom, gardons pour nous ce que les autres partagent et prenons soin de notre sécurité et de celle des autres.",
    ),
    (
        ConsentKind::ParticipationConsent,
        "Consent to participate",
        "I choose to take part in the peer support group. Taking part is voluntary: I may stop at any time, and withdrawing this consent ends my place in the group.",
        "Consentement à participer",
        "Je choisis de participer au groupe de soutien par les pairs. La participation est volontaire : je peux arrêter en tout temps, et retirer ce consentement met fin à ma place dans le groupe.",
    ),
    (
        ConsentKind::ConfidentialityAgreement,
        "Confidentiality agreement",
        "What is shared in the group stays in the group. The program keeps what you tell it confidential, except in situations of imminent harm to a person, child abuse, or subpoena.",
        "Entente de confidentialité",
        "Ce qui est partagé dans le groupe reste dans le groupe. Le programme garde confidentiel ce que vous lui confiez, sauf en cas de danger imminent pour une personne, de maltraitance d'un enfant ou d'assignation à comparaître.",
    ),
    (
        ConsentKind::SafetyAndEmergencyProtocol,
        "Safety and emergency protocol",
        "If someone is at risk during a session, a facilitator may contact them privately and, if needed, emergency services. The 24/7 line 1-844-750-1648 is always available.",
        "Protocole de sécurité et d'urgence",
        "Si une personne est à risque pendant une séance, une personne animatrice peut la joindre en privé et, au besoin, les services d'urgence. La ligne 24/7 1-844-750-1648 est toujours disponible.",
    ),
    (
        ConsentKind::ReferralInformationSharing,
        "Sharing referral information",
        "I agree that the organization that referred me may share my name, contact details and preferred language with the program, and learn whether my referral was received, in progress, placed or closed — never what I say.",
        "Partage des renseignements d'aiguillage",
        "J'accepte que l'organisme qui m'a aiguillé·e transmette mon nom, mes coordonnées et ma langue au programme, et sache si mon aiguillage est reçu, en cours, placé ou fermé — jamais ce que je dis.",
    ),
];

const FORMAL_TOPICS: [&str; 10] = [
    "Welcome, safety and group agreements",
    "Understanding trauma responses",
    "Grounding and coping skills",
    "Boundaries",
    "Shame, blame and self-compassion",
    "Trust and relationships",
    "Anger and other strong emotions",
    "Navigating supports and systems",
    "Identity, meaning and strengths",
    "Looking ahead and closing",
];

/// The next `weekday` at `hour`:00 in Toronto, at least a day from now.
fn next_local(weekday: Weekday, hour: u32) -> chrono::DateTime<Utc> {
    let tz = chrono_tz::America::Toronto;
    let mut day = (Utc::now() + Duration::days(1))
        .with_timezone(&tz)
        .date_naive();
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    let local = day.and_hms_opt(hour, 0, 0).expect("valid hour");
    tz.from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// Seeds a fresh database. Refused in production and when the demo accounts already exist.
pub fn seed(config: &Config) -> Result<DemoData, String> {
    if config.app_env == AppEnv::Production {
        return Err("seed-demo is refused when APP_ENV=production".into());
    }
    db::connect_and_migrate(config.migration_url())?;
    let mut conn = db::ConnectionManager::new(&config.database_url)
        .establish()
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let admin_email = format!("{}@{DEMO_DOMAIN}", Role::Admin);
    if users::service::account_by_email(&mut conn, &admin_email)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err("the demo data is already there (demo admin exists)".into());
    }
    db::write_transaction(&mut conn, seed_all).map_err(|e: ApiError| format!("seeding failed: {e}"))
}

fn seed_all(conn: &mut Conn) -> Result<DemoData, ApiError> {
    let mut accounts = Vec::new();
    let mut ids = std::collections::HashMap::new();
    // Each demo account's address is its role's name, e.g. peer_supporter@demo.example.
    for (role, name, language) in [
        (Role::Admin, "Demo admin", Language::En),
        (Role::Coordinator, "Demo coordinator", Language::Fr),
        (Role::PeerSupporter, "Jo (peer supporter)", Language::En),
        (
            Role::MentalHealthProfessional,
            "Sam (social worker)",
            Language::Fr,
        ),
        (Role::Peer, "Alex", Language::En),
    ] {
        let email = format!("{role}@{DEMO_DOMAIN}");
        let password = format!(
            "demo-{}",
            tokens::new_secret().chars().take(16).collect::<String>()
        );
        let row =
            users::service::new_account(&email, passwords::hash(&password), name, role, language);
        users::service::add_account(conn, &row)?;
        crate::auth::service::mark_verified(conn, &row.id)?;
        ids.insert(role, row.id.clone());
        accounts.push(DemoAccount {
            role,
            email,
            password,
        });
    }
    let admin = AuthUser {
        id: ids[&Role::Admin].clone(),
        role: Role::Admin,
        session_id: None,
        request_id: Some("seed-demo".into()),
    };
    let partner = partners::service::create(
        conn,
        &admin,
        &CreatePartner {
            name: "Demo partner: 24/7 support line".into(),
        },
    )?;

    for (kind, title_en, body_en, title_fr, body_fr) in CONSENT_DOCUMENTS {
        for (language, title, body) in [
            (Language::En, title_en, body_en),
            (Language::Fr, title_fr, body_fr),
        ] {
            consent::service::create_document(
                conn,
                &admin,
                &CreateDocument {
                    kind,
                    language,
                    title: title.into(),
                    body: body.into(),
                },
            )?;
        }
    }

    let supporter = ids[&Role::PeerSupporter].clone();
    let professional = ids[&Role::MentalHealthProfessional].clone();
    let plans = [
        (
            "Informal group — Wednesday evenings",
            GroupKind::Informal,
            Language::En,
            None,
            Weekday::Wed,
            8,
        ),
        (
            "Groupe informel — mardis soir",
            GroupKind::Informal,
            Language::Fr,
            None,
            Weekday::Tue,
            8,
        ),
        (
            "Formal group — women",
            GroupKind::Formal,
            Language::En,
            Some("women"),
            Weekday::Thu,
            10,
        ),
        (
            "Groupe formel — francophone",
            GroupKind::Formal,
            Language::Fr,
            None,
            Weekday::Mon,
            10,
        ),
    ];
    let mut sessions = 0;
    for (name, kind, language, focus, weekday, count) in plans {
        let facilitators = match kind {
            GroupKind::Informal => vec![supporter.clone()],
            GroupKind::Formal => vec![supporter.clone(), professional.clone()],
        };
        let (group, _) = groups::service::create_group(
            conn,
            &admin,
            &CreateGroup {
                name: name.into(),
                description: Some("Demo group: virtual, 90-minute sessions.".into()),
                kind,
                language,
                audience: vec![
                    Audience::CafMember,
                    Audience::Veteran,
                    Audience::DndEmployee,
                ],
                identity_focus: focus.map(str::to_string),
                time_zone: "America/Toronto".into(),
                capacity: 12,
                meeting_link: Some(format!("https://meet.{DEMO_DOMAIN}/{}", db::new_id())),
                facilitator_ids: facilitators,
            },
        )?;
        let created = groups::service::create_sessions(
            conn,
            &admin,
            &group.id,
            &CreateSessions {
                starts_at: next_local(weekday, 19),
                count: Some(count),
                duration_minutes: None,
                topics: (kind == GroupKind::Formal)
                    .then(|| FORMAL_TOPICS.iter().map(|t| t.to_string()).collect()),
                meeting_link: None,
            },
        )?;
        sessions += created.len();
        groups::service::update_group(
            conn,
            &admin,
            &group.id,
            &ExpectedVersion::Any,
            &UpdateGroup {
                name: None,
                description: None,
                audience: None,
                identity_focus: None,
                time_zone: None,
                capacity: None,
                meeting_link: None,
                facilitator_ids: None,
                status: Some(GroupStatus::Open),
            },
        )?;
    }
    let listings = directory::demo::insert_demo_listings(conn)?;
    Ok(DemoData {
        accounts,
        partner_client_id: partner.client_id,
        partner_client_secret: partner.client_secret,
        groups: plans.len(),
        sessions,
        listings,
        consent_documents: CONSENT_DOCUMENTS.len() * 2,
    })
}
