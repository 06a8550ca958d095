use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::domain::{
    contact::{refusal, valid_phone, valid_website},
    schemas::{PhoneNumber, Website},
    vocabulary,
};
use crate::{auth::Role, db::schema::directory_listings, language::Language};

vocabulary! {
    /// A province or territory by its two-letter code, or `CA` for a Canada-wide listing.
    Province {
        Ab = "AB", Bc = "BC", Mb = "MB", Nb = "NB", Nl = "NL", Ns = "NS", Nt = "NT", Nu = "NU",
        On = "ON", Pe = "PE", Qc = "QC", Sk = "SK", Yt = "YT", Ca = "CA",
    }
}

vocabulary! {
    /// Who a listed group is for. `first_responders` means all first responders; the narrower
    /// tags (`police`, `firefighters`, `paramedics`, `dispatchers`) mark groups for one service.
    ListingAudience {
        Police = "police",
        Firefighters = "firefighters",
        Paramedics = "paramedics",
        Dispatchers = "dispatchers",
        FirstResponders = "first_responders",
        HealthCare = "health_care",
        Corrections = "corrections",
        Military = "military",
        Veterans = "veterans",
        Families = "families",
    }
}

vocabulary! {
    /// How a listed group meets.
    ListingDelivery { InPerson = "in_person", Virtual = "virtual", Hybrid = "hybrid" }
}

vocabulary! {
    /// The day of the week a listed group meets.
    ListingWeekday {
        Monday = "monday", Tuesday = "tuesday", Wednesday = "wednesday", Thursday = "thursday",
        Friday = "friday", Saturday = "saturday", Sunday = "sunday",
    }
}

vocabulary! {
    /// The IANA time zone of a listed group's meeting times: one of Canada's zones.
    ListingTimeZone {
        StJohns = "America/St_Johns",
        Halifax = "America/Halifax",
        GlaceBay = "America/Glace_Bay",
        Moncton = "America/Moncton",
        GooseBay = "America/Goose_Bay",
        BlancSablon = "America/Blanc-Sablon",
        Toronto = "America/Toronto",
        Iqaluit = "America/Iqaluit",
        Atikokan = "America/Atikokan",
        Winnipeg = "America/Winnipeg",
        RankinInlet = "America/Rankin_Inlet",
        Resolute = "America/Resolute",
        Regina = "America/Regina",
        SwiftCurrent = "America/Swift_Current",
        Edmonton = "America/Edmonton",
        CambridgeBay = "America/Cambridge_Bay",
        Inuvik = "America/Inuvik",
        Creston = "America/Creston",
        DawsonCreek = "America/Dawson_Creek",
        FortNelson = "America/Fort_Nelson",
        Vancouver = "America/Vancouver",
        Whitehorse = "America/Whitehorse",
        Dawson = "America/Dawson",
    }
}

vocabulary! {
    /// Where a listing is in moderation: submissions wait as `pending` until a coordinator
    /// publishes or rejects them; `archived` listings are withdrawn from the directory.
    ListingStatus {
        Pending = "pending",
        Published = "published",
        Rejected = "rejected",
        Archived = "archived",
    }
}

vocabulary! {
    /// A coordinator's decision on a pending listing.
    ReviewDecision { Publish = "publish", Reject = "reject" }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = directory_listings)]
pub struct ListingRow {
    pub id: String,
    pub organization: String,
    pub name: String,
    pub description: String,
    pub eligibility: Option<String>,
    pub province: Province,
    pub city: Option<String>,
    pub delivery: ListingDelivery,
    pub schedule_weekday: Option<ListingWeekday>,
    pub schedule_start_time: Option<String>,
    pub schedule_end_time: Option<String>,
    pub schedule_time_zone: Option<ListingTimeZone>,
    pub schedule_notes: Option<String>,
    pub cost: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_website: Option<String>,
    pub available_24_7: bool,
    pub status: ListingStatus,
    pub review_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub submitted_by: Option<String>,
    pub submitted_by_role: Option<Role>,
    pub search_text: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Everything a write may change in a listing row; `None` clears a column.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = directory_listings, treat_none_as_null = true)]
pub struct ListingEdit {
    pub organization: String,
    pub name: String,
    pub description: String,
    pub eligibility: Option<String>,
    pub province: Province,
    pub city: Option<String>,
    pub delivery: ListingDelivery,
    pub schedule_weekday: Option<ListingWeekday>,
    pub schedule_start_time: Option<String>,
    pub schedule_end_time: Option<String>,
    pub schedule_time_zone: Option<ListingTimeZone>,
    pub schedule_notes: Option<String>,
    pub cost: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_website: Option<String>,
    pub available_24_7: bool,
    pub status: ListingStatus,
    pub review_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub search_text: String,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

impl ListingRow {
    /// The row's editable columns as they are now, to change some of them.
    pub fn edit(&self) -> ListingEdit {
        ListingEdit {
            organization: self.organization.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            eligibility: self.eligibility.clone(),
            province: self.province,
            city: self.city.clone(),
            delivery: self.delivery,
            schedule_weekday: self.schedule_weekday,
            schedule_start_time: self.schedule_start_time.clone(),
            schedule_end_time: self.schedule_end_time.clone(),
            schedule_time_zone: self.schedule_time_zone,
            schedule_notes: self.schedule_notes.clone(),
            cost: self.cost.clone(),
            contact_phone: self.contact_phone.clone(),
            contact_email: self.contact_email.clone(),
            contact_website: self.contact_website.clone(),
            available_24_7: self.available_24_7,
            status: self.status,
            review_note: self.review_note.clone(),
            reviewed_by: self.reviewed_by.clone(),
            reviewed_at: self.reviewed_at,
            search_text: self.search_text.clone(),
            version: self.version,
            updated_at: self.updated_at,
        }
    }
}

// The words stay text here, as in every request type, so that an unknown one is a validation
// error naming its field; `service` turns them into the vocabularies.
/// When and how often a group meets. Every part is optional; times are local to `time_zone`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "weekday": ListingWeekday::Thursday,
    "start_time": "19:00",
    "end_time": "21:00",
    "time_zone": ListingTimeZone::Toronto,
    "notes": "Every Thursday evening; doors open at 18:45."
}))]
pub struct ListingSchedule {
    #[validate(custom(function = "valid_weekday"))]
    #[schema(value_type = Option<ListingWeekday>)]
    pub weekday: Option<String>,
    /// Local start time, `HH:MM` (24-hour clock).
    #[validate(custom(function = "valid_time"))]
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "19:00")]
    pub start_time: Option<String>,
    /// Local end time, `HH:MM`, after `start_time`.
    #[validate(custom(function = "valid_time"))]
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "21:00")]
    pub end_time: Option<String>,
    /// Required with `start_time`.
    #[validate(custom(function = "valid_time_zone"))]
    #[schema(value_type = Option<ListingTimeZone>)]
    pub time_zone: Option<String>,
    /// Anything else about when and where: other sessions, the venue, how to get the address.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(max_length = 1000)]
    pub notes: Option<String>,
}

/// How to reach the organization running a listed group. Organization lines only: never a
/// private person's phone or email.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "phone": "1-888-495-6068",
    "email": "info@example.org",
    "website": "https://www.example.org/peer-support",
    "available_24_7": false
}))]
pub struct ListingContacts {
    #[validate(custom(function = "valid_phone"))]
    #[schema(value_type = Option<PhoneNumber>, example = "1-888-495-6068")]
    pub phone: Option<String>,
    #[validate(
        email(message = "must be a valid email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    #[schema(format = "email", max_length = 254)]
    pub email: Option<String>,
    /// An `https://` (or `http://`) address.
    #[validate(custom(function = "valid_website"))]
    #[schema(value_type = Option<Website>)]
    pub website: Option<String>,
    /// Whether someone answers at any hour.
    #[serde(default)]
    pub available_24_7: bool,
}

/// Moderation facts, shown to coordinators and admins only.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingModeration {
    /// The reviewer's note on publishing or rejecting.
    pub review_note: Option<String>,
    /// The account that published or rejected the listing.
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The account or partner client that submitted the listing; null when anonymous.
    pub submitted_by: Option<String>,
    /// The submitter's role; null when anonymous.
    pub submitted_by_role: Option<Role>,
}

/// A peer support group run by another organization.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0b7e4c1a-6f2d-4e8b-9c3a-5d1f2e3a4b01",
    "organization": "Badge of Life Canada",
    "name": "Weekly psychoeducational support meeting",
    "description": "A weekly psychoeducational support meeting for first responder peers, on Zoom.",
    "audiences": [ListingAudience::FirstResponders],
    "eligibility": "First responders, serving or retired.",
    "province": Province::Ca,
    "city": null,
    "delivery": ListingDelivery::Virtual,
    "schedule": {"weekday": ListingWeekday::Monday, "start_time": "19:00", "end_time": "21:00",
                 "time_zone": ListingTimeZone::Toronto, "notes": "Monday evenings, 7 to 9 pm Eastern."},
    "languages": [Language::En],
    "cost": "free",
    "contacts": {"phone": null, "email": "info@badgeoflifecanada.org",
                 "website": "https://www.badgeoflifecanada.org", "available_24_7": false},
    "status": ListingStatus::Published,
    "version": 2,
    "created_at": "2026-11-25T14:03:07.123456Z",
    "updated_at": "2026-11-26T09:12:44.654321Z"
}))]
pub struct Listing {
    pub id: String,
    /// The organization running the group.
    pub organization: String,
    pub name: String,
    pub description: String,
    pub audiences: Vec<ListingAudience>,
    /// Who may attend, in the organization's words.
    pub eligibility: Option<String>,
    pub province: Province,
    pub city: Option<String>,
    pub delivery: ListingDelivery,
    pub schedule: ListingSchedule,
    pub languages: Vec<Language>,
    /// What attending costs, e.g. `free`.
    pub cost: Option<String>,
    pub contacts: ListingContacts,
    pub status: ListingStatus,
    /// Changes with every edit; the `ETag` is this number in quotes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Present for coordinators and admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation: Option<ListingModeration>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingList {
    pub items: Vec<Listing>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A listing submitted for the directory; it waits as `pending` until a coordinator reviews it.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization": "Phoenix P.T.S. Support Group",
    "name": "Phoenix P.T.S. Support Group",
    "description": "First responders supporting first responders through operational stress injuries.",
    "audiences": [
        ListingAudience::FirstResponders,
        ListingAudience::Dispatchers,
        ListingAudience::HealthCare
    ],
    "eligibility": "All first responders, including dispatchers and nurses.",
    "province": Province::On,
    "city": "Hornby",
    "delivery": ListingDelivery::InPerson,
    "schedule": {"weekday": ListingWeekday::Thursday, "start_time": "19:00", "end_time": "21:00",
                 "time_zone": ListingTimeZone::Toronto, "notes": "St. Stephen's Anglican Church, Hornby (Halton Hills)."},
    "languages": [Language::En],
    "cost": "free",
    "contacts": {"website": "https://www.example.org/phoenix", "available_24_7": false}
}))]
pub struct NewListing {
    /// The organization running the group.
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub organization: String,
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(
        length(min = 1, max = 4000, message = "must be 1 to 4000 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 4000)]
    pub description: String,
    /// One or more audience tags.
    #[validate(
        length(min = 1, max = 10, message = "must list 1 to 10 audiences"),
        custom(function = "valid_audiences")
    )]
    #[schema(value_type = Vec<ListingAudience>, min_items = 1, max_items = 10)]
    pub audiences: Vec<String>,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(max_length = 1000)]
    pub eligibility: Option<String>,
    #[validate(custom(function = "valid_province"))]
    #[schema(value_type = Province)]
    pub province: String,
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[schema(max_length = 100)]
    pub city: Option<String>,
    #[validate(custom(function = "valid_delivery"))]
    #[schema(value_type = ListingDelivery)]
    pub delivery: String,
    #[serde(default)]
    #[validate(nested)]
    pub schedule: ListingSchedule,
    /// `en`, `fr` or both.
    #[validate(
        length(min = 1, max = 2, message = "must list 1 or 2 languages"),
        custom(function = "valid_languages")
    )]
    #[schema(value_type = Vec<Language>, min_items = 1, max_items = 2)]
    pub languages: Vec<String>,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(max_length = 200)]
    pub cost: Option<String>,
    #[serde(default)]
    #[validate(nested)]
    pub contacts: ListingContacts,
}

/// A coordinator's edit of a listing: only the fields given change. `schedule` and `contacts`
/// are replaced as a whole; `null` clears `eligibility`, `city` or `cost`.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "description": "Two groups every Wednesday: 10:00 to noon, and 19:00.",
    "schedule": {"weekday": ListingWeekday::Wednesday, "start_time": "10:00", "end_time": "12:00",
                 "time_zone": ListingTimeZone::Toronto, "notes": "A second group meets Wednesdays at 19:00."},
    "cost": "free"
}))]
pub struct ListingChanges {
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub organization: Option<String>,
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(
        length(min = 1, max = 4000, message = "must be 1 to 4000 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 4000)]
    pub description: Option<String>,
    #[validate(
        length(min = 1, max = 10, message = "must list 1 to 10 audiences"),
        custom(function = "valid_audiences")
    )]
    #[schema(value_type = Option<Vec<ListingAudience>>, min_items = 1, max_items = 10)]
    pub audiences: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub eligibility: Option<Option<String>>,
    #[validate(custom(function = "valid_province"))]
    #[schema(value_type = Option<Province>)]
    pub province: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub city: Option<Option<String>>,
    #[validate(custom(function = "valid_delivery"))]
    #[schema(value_type = Option<ListingDelivery>)]
    pub delivery: Option<String>,
    #[validate(nested)]
    pub schedule: Option<ListingSchedule>,
    #[validate(
        length(min = 1, max = 2, message = "must list 1 or 2 languages"),
        custom(function = "valid_languages")
    )]
    #[schema(value_type = Option<Vec<Language>>, min_items = 1, max_items = 2)]
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub cost: Option<Option<String>>,
    #[validate(nested)]
    pub contacts: Option<ListingContacts>,
}

/// A present field, even `null`, as `Some`; an absent one stays `None` (`#[serde(default)]`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A coordinator's review of a pending listing.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decision": ReviewDecision::Publish,
    "note": "Checked with the organization's public website."
}))]
pub struct ListingReview {
    pub decision: ReviewDecision,
    /// Why; required to reject.
    #[validate(
        length(min = 1, max = 1000, message = "must be 1 to 1000 characters"),
        custom(function = "not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListingSearch {
    /// Only listings in this province or territory; `CA` gives the Canada-wide listings (they
    /// are not repeated under each province).
    pub province: Option<Province>,
    /// Only listings for this audience.
    pub audience: Option<ListingAudience>,
    pub delivery: Option<ListingDelivery>,
    /// Only listings offered in this language.
    pub language: Option<Language>,
    /// Free text over organization, name, description and city: every word must appear,
    /// ignoring case, accents and periods (`heart` finds "H.E.A.R.T.").
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// `published` unless given; other statuses are for coordinators and admins.
    pub status: Option<ListingStatus>,
}

fn one_of(
    value: &str,
    known: bool,
    all: impl Iterator<Item = &'static str>,
) -> Result<(), ValidationError> {
    if known {
        Ok(())
    } else {
        let names: Vec<&str> = all.collect();
        Err(refusal(
            "one_of",
            format!("{value:?} is not one of {}", names.join(", ")),
        ))
    }
}

fn valid_province(value: &str) -> Result<(), ValidationError> {
    one_of(
        value,
        Province::parse(value).is_some(),
        Province::ALL.iter().map(|p| p.as_str()),
    )
}

fn valid_delivery(value: &str) -> Result<(), ValidationError> {
    one_of(
        value,
        ListingDelivery::parse(value).is_some(),
        ListingDelivery::ALL.iter().map(|d| d.as_str()),
    )
}

fn valid_weekday(value: &str) -> Result<(), ValidationError> {
    one_of(
        value,
        ListingWeekday::parse(value).is_some(),
        ListingWeekday::ALL.iter().map(|d| d.as_str()),
    )
}

fn valid_time_zone(value: &str) -> Result<(), ValidationError> {
    one_of(
        value,
        ListingTimeZone::parse(value).is_some(),
        ListingTimeZone::ALL.iter().map(|z| z.as_str()),
    )
}

fn valid_audiences(values: &[String]) -> Result<(), ValidationError> {
    for value in values {
        one_of(
            value,
            ListingAudience::parse(value).is_some(),
            ListingAudience::ALL.iter().map(|a| a.as_str()),
        )?;
    }
    Ok(())
}

fn valid_languages(values: &[String]) -> Result<(), ValidationError> {
    for value in values {
        one_of(
            value,
            Language::parse(value).is_some(),
            Language::ALL.iter().map(|l| l.as_str()),
        )?;
    }
    Ok(())
}

/// `HH:MM` on a 24-hour clock.
fn valid_time(value: &str) -> Result<(), ValidationError> {
    if value.len() == 5 && chrono::NaiveTime::parse_from_str(value, "%H:%M").is_ok() {
        Ok(())
    } else {
        Err(refusal(
            "time",
            "must be a time as HH:MM, e.g. 19:00".into(),
        ))
    }
}

fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(refusal("blank", "must not be blank".into()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip() {
        for p in Province::ALL {
            assert_eq!(Province::parse(p.as_str()), Some(*p));
        }
        assert_eq!(Province::parse("XX"), None);
        assert_eq!(
            serde_json::to_value(ListingTimeZone::StJohns).unwrap(),
            "America/St_Johns"
        );
    }

    #[test]
    fn contact_formats() {
        assert!(valid_phone("1-844-750-1648").is_ok());
        assert!(valid_phone("988").is_ok());
        assert!(valid_phone("306-525-5601 ext. 222").is_ok());
        assert!(valid_phone("call me").is_err());
        assert!(valid_phone("12").is_err());
        assert!(valid_website("https://988.ca").is_ok());
        assert!(valid_website("javascript:alert(1)").is_err());
        assert!(valid_website("https://").is_err());
        assert!(valid_time("19:00").is_ok());
        assert!(valid_time("7:00").is_err());
        assert!(valid_time("24:00").is_err());
    }
}
