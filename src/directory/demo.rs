//! Demo listings for `seed-demo`: public organizations from the Badge of Life Canada directory,
//! with organization-level facts only (names, audiences, regions, schedules, organization phone
//! lines), never the names, phones or emails of the private persons the directory lists.

use chrono::Duration;

use super::{
    models::{ListingContacts, ListingSchedule, NewListing},
    service,
};
use crate::{
    db::{self, Conn},
    error::ApiError,
};

const NOTE: &str = "Demo listing, from the public Badge of Life Canada directory.";

/// Inserts the demo listings, already published, and returns how many it added. Their ids are
/// fixed, so a second run adds none.
pub fn insert_demo_listings(conn: &mut Conn) -> Result<usize, ApiError> {
    let start = db::now();
    let mut added = 0;
    for (i, (id, listing)) in demo_listings().into_iter().enumerate() {
        // One microsecond apart, so the directory lists them in this order.
        let at = start + Duration::microseconds(i as i64);
        if service::add_published(conn, id, listing, NOTE, at)? {
            added += 1;
        }
    }
    Ok(added)
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

fn text(value: &str) -> Option<String> {
    Some(value.to_string())
}

fn weekly(weekday: &str, start: &str, end: Option<&str>, notes: &str) -> ListingSchedule {
    ListingSchedule {
        weekday: text(weekday),
        start_time: text(start),
        end_time: end.map(str::to_string),
        time_zone: text("America/Toronto"),
        notes: text(notes),
    }
}

fn notes_only(notes: &str) -> ListingSchedule {
    ListingSchedule {
        notes: text(notes),
        ..ListingSchedule::default()
    }
}

fn demo_listings() -> Vec<(&'static str, NewListing)> {
    vec![
        (
            "9b3f6d20-4c1e-4f7a-8d25-00000000d001",
            NewListing {
                organization: "Operational Stress Injury Social Support (OSISS)".into(),
                name: "OSISS peer support network".into(),
                description: "A national peer support network, delivered in partnership by the \
                    Department of National Defence and Veterans Affairs Canada, for Canadian Armed \
                    Forces members, Veterans and their families experiencing an operational stress \
                    injury (OSI). It is coordinated by screened, trained peers with firsthand \
                    experience of living with an OSI. Your identity and discussions are held in \
                    confidence, except in situations of imminent harm to a person, child abuse, or \
                    subpoena."
                    .into(),
                audiences: strings(&["military", "veterans", "families"]),
                eligibility: text(
                    "Canadian Armed Forces members, Veterans and their families experiencing an \
                     operational stress injury. First responders may be included where local \
                     resources allow.",
                ),
                province: "CA".into(),
                city: None,
                delivery: "in_person".into(),
                schedule: notes_only(
                    "Local OSISS networks in more than 33 locations across Canada.",
                ),
                languages: strings(&["en", "fr"]),
                cost: None,
                contacts: ListingContacts::default(),
            },
        ),
        (
            "9b3f6d20-4c1e-4f7a-8d25-00000000d002",
            NewListing {
                organization: "H.E.A.R.T. (Heart) Group".into(),
                name: "H.E.A.R.T. (Heart) Group".into(),
                description: "A peer support group for police officers that has met weekly for \
                    over twenty years, with members from many police services, including the \
                    O.P.P., the R.C.M.P., Hamilton, Peel, Toronto and York."
                    .into(),
                audiences: strings(&["police"]),
                eligibility: text(
                    "Sworn police officers: active, retired, suspended, on sick leave or in any \
                     other category.",
                ),
                province: "ON".into(),
                city: text("Toronto"),
                delivery: "in_person".into(),
                schedule: weekly(
                    "wednesday",
                    "10:00",
                    Some("12:00"),
                    "Two groups every Wednesday: 10:00 to noon, and a second at 19:00.",
                ),
                languages: strings(&["en"]),
                cost: text("free (supported by the Toronto Police Association)"),
                contacts: ListingContacts::default(),
            },
        ),
        (
            "9b3f6d20-4c1e-4f7a-8d25-00000000d003",
            NewListing {
                organization: "The Phoenix P.T.S. Support Group".into(),
                name: "The Phoenix P.T.S. Support Group".into(),
                description: "First responders supporting first responders through operational \
                    stress injuries. An independent group that meets under the programs of \
                    St. Stephen's Anglican Church and the umbrella of the Niagara Anglican \
                    Diocese."
                    .into(),
                audiences: strings(&["first_responders", "dispatchers", "health_care"]),
                eligibility: text("All first responders, including dispatchers and nurses."),
                province: "ON".into(),
                city: text("Hornby"),
                delivery: "in_person".into(),
                schedule: weekly(
                    "thursday",
                    "19:00",
                    Some("21:00"),
                    "St. Stephen's Anglican Church, 14946 Steeles Avenue East, Hornby (Halton \
                     Hills), between Winston Churchill Blvd and Trafalgar Rd. Further contact \
                     information is on the church's website.",
                ),
                languages: strings(&["en"]),
                cost: None,
                contacts: ListingContacts::default(),
            },
        ),
        (
            "9b3f6d20-4c1e-4f7a-8d25-00000000d004",
            NewListing {
                organization: "Wings of Change".into(),
                name: "Wings of Change peer support".into(),
                description: "Coffee and anonymous, solution-based mental health discussion in a \
                    safe, stigma-free environment, for peer support with occupational trauma and \
                    stress. Share your views or simply be part of an understanding group of \
                    peers. A mental health diagnosis is not required, and the group does not \
                    provide professional care; crisis numbers are given at every meeting."
                    .into(),
                audiences: strings(&[
                    "first_responders",
                    "health_care",
                    "dispatchers",
                    "military",
                    "corrections",
                ]),
                eligibility: text(
                    "All first responders, health care professionals, dispatchers, military \
                     members and corrections workers.",
                ),
                province: "ON".into(),
                city: None,
                delivery: "in_person".into(),
                schedule: notes_only("Groups in Ontario and Manitoba."),
                languages: strings(&["en"]),
                cost: None,
                contacts: ListingContacts::default(),
            },
        ),
        (
            "9b3f6d20-4c1e-4f7a-8d25-00000000d005",
            NewListing {
                organization: "The First Responders Cafe".into(),
                name: "The First Responders Cafe".into(),
                description: "Confidential weekly support groups, established in January 2018, in \
                    several Northern communities of British Columbia, where first responders \
                    share their experience, strength and hope. A non-profit society registered \
                    under the Societies Act of British Columbia."
                    .into(),
                audiences: strings(&["first_responders"]),
                eligibility: text("All first responders."),
                province: "BC".into(),
                city: None,
                delivery: "in_person".into(),
                schedule: notes_only("Weekly, in several Northern B.C. communities."),
                languages: strings(&["en"]),
                cost: None,
                contacts: ListingContacts::default(),
            },
        ),
        (
            "9b3f6d20-4c1e-4f7a-8d25-00000000d006",
            NewListing {
                organization: "RCMP Support for Operational Stress Injuries (SOSI) / GRC Soutien \
                    blessures de stress opérationnel (SBSO)"
                    .into(),
                name: "RCMP J Division SOSI peer support".into(),
                description: "Support. Connection. Resilience. / Soutien. Connexion. Résilience. \
                    Peer support by certified peer support specialists; conversations are kept \
                    confidential, respectful and non-judgmental at all times."
                    .into(),
                audiences: strings(&["police"]),
                eligibility: None,
                province: "NB".into(),
                city: text("Fredericton"),
                delivery: "in_person".into(),
                schedule: notes_only("RCMP J Division SOSI office, 65 Regent Street, Fredericton."),
                languages: strings(&["en", "fr"]),
                cost: None,
                contacts: ListingContacts::default(),
            },
        ),
        (
            "9b3f6d20-4c1e-4f7a-8d25-00000000d007",
            NewListing {
                organization: "Saskatchewan Peer Support Groups".into(),
                name: "Saskatchewan OSI peer support groups".into(),
                description: "Weekly peer support groups for those experiencing operational \
                    stress injuries (OSI) and PTSD, in cities across Saskatchewan: an informal, \
                    relaxed, confidential discussion about the obstacles faced every day. You are \
                    not alone."
                    .into(),
                audiences: strings(&["military", "veterans", "first_responders"]),
                eligibility: text(
                    "Serving and retired military members and community first responders.",
                ),
                province: "SK".into(),
                city: None,
                delivery: "in_person".into(),
                schedule: notes_only(
                    "Weekly. Call the provincial line for the place and time of a meeting near \
                     you, or if there is no group near you.",
                ),
                languages: strings(&["en"]),
                cost: None,
                contacts: ListingContacts {
                    phone: text("1-888-495-6068"),
                    ..ListingContacts::default()
                },
            },
        ),
        (
            "9b3f6d20-4c1e-4f7a-8d25-00000000d008",
            NewListing {
                organization: "Badge of Life Canada".into(),
                name: "Weekly psychoeducational support meeting".into(),
                description: "A weekly psychoeducational support meeting for first responder \
                    peers, on Zoom."
                    .into(),
                audiences: strings(&["first_responders"]),
                eligibility: text("First responders."),
                province: "CA".into(),
                city: None,
                delivery: "virtual".into(),
                schedule: weekly(
                    "monday",
                    "19:00",
                    Some("21:00"),
                    "Monday evenings, 7 to 9 pm Eastern, on Zoom.",
                ),
                languages: strings(&["en"]),
                cost: None,
                contacts: ListingContacts {
                    email: text("info@badgeoflifecanada.org"),
                    ..ListingContacts::default()
                },
            },
        ),
    ]
}
