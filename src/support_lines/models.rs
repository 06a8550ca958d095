use chrono::NaiveDateTime;
use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::schemas::{PhoneNumber, Website};
use crate::{
    db::schema::support_lines,
    domain::contact::{valid_phone, valid_website},
};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = support_lines)]
pub struct SupportLineRow {
    pub id: String,
    pub name_en: String,
    pub name_fr: String,
    pub description_en: String,
    pub description_fr: String,
    pub phone: String,
    pub text_number: Option<String>,
    pub website: Option<String>,
    pub available_24_7: bool,
    pub sort_order: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Everything an admin may change in a support line row; `None` clears a column.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = support_lines, treat_none_as_null = true)]
pub struct SupportLineEdit {
    pub name_en: String,
    pub name_fr: String,
    pub description_en: String,
    pub description_fr: String,
    pub phone: String,
    pub text_number: Option<String>,
    pub website: Option<String>,
    pub available_24_7: bool,
    pub sort_order: i32,
    pub updated_at: NaiveDateTime,
}

/// A support line's name, in both official languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "en": "VAC Assistance Service",
    "fr": "Service d'aide d'ACC"
}))]
pub struct SupportLineName {
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    #[schema(min_length = 1, max_length = 120)]
    pub en: String,
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    #[schema(min_length = 1, max_length = 120)]
    pub fr: String,
}

/// What a support line offers and to whom, in both official languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "en": "Free, confidential mental health support for Veterans and their families, 24/7.",
    "fr": "Soutien en santé mentale gratuit et confidentiel pour les vétérans et leur famille, 24 heures sur 24, 7 jours sur 7."
}))]
pub struct SupportLineDescription {
    #[validate(length(min = 1, max = 1000, message = "must be 1 to 1000 characters"))]
    #[schema(min_length = 1, max_length = 1000)]
    pub en: String,
    #[validate(length(min = 1, max = 1000, message = "must be 1 to 1000 characters"))]
    #[schema(min_length = 1, max_length = 1000)]
    pub fr: String,
}

/// A crisis or support line.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5d0c1f3a-7b2e-4c59-9a61-000000000001",
    "name": {
        "en": "Sexual Misconduct Support and Resource Centre (SMSRC)",
        "fr": "Centre de soutien et de ressources sur l'inconduite sexuelle (CSRIS)"
    },
    "description": {
        "en": "Confidential support, 24 hours a day, 7 days a week.",
        "fr": "Soutien confidentiel, 24 heures sur 24, 7 jours sur 7."
    },
    "phone": "1-844-750-1648",
    "text_number": null,
    "website": null,
    "available_24_7": true,
    "sort_order": 10
}))]
pub struct SupportLine {
    pub id: String,
    pub name: SupportLineName,
    pub description: SupportLineDescription,
    /// The number to call.
    pub phone: String,
    /// The number to text, if the line takes text messages.
    pub text_number: Option<String>,
    pub website: Option<String>,
    /// Whether someone answers at any hour.
    pub available_24_7: bool,
    /// Lines are listed by this number, lowest first.
    pub sort_order: i32,
}

impl From<SupportLineRow> for SupportLine {
    fn from(row: SupportLineRow) -> Self {
        SupportLine {
            id: row.id,
            name: SupportLineName {
                en: row.name_en,
                fr: row.name_fr,
            },
            description: SupportLineDescription {
                en: row.description_en,
                fr: row.description_fr,
            },
            phone: row.phone,
            text_number: row.text_number,
            website: row.website,
            available_24_7: row.available_24_7,
            sort_order: row.sort_order,
        }
    }
}

/// Every support line, in display order (a short list, so it is not paginated).
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportLineList {
    pub items: Vec<SupportLine>,
}

/// A new support line (admin).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": {"en": "Hope for Wellness Help Line", "fr": "Ligne d'écoute d'espoir pour le mieux-être"},
    "description": {
        "en": "Counselling and crisis intervention for all Indigenous people across Canada, 24/7.",
        "fr": "Counseling et intervention en cas de crise pour tous les peuples autochtones du Canada, 24 heures sur 24, 7 jours sur 7."
    },
    "phone": "1-855-242-3310",
    "text_number": null,
    "website": "https://www.hopeforwellness.ca",
    "available_24_7": true,
    "sort_order": 40
}))]
pub struct NewSupportLine {
    #[validate(nested)]
    pub name: SupportLineName,
    #[validate(nested)]
    pub description: SupportLineDescription,
    #[validate(custom(function = "valid_phone"))]
    #[schema(value_type = PhoneNumber, example = "1-800-268-7708")]
    pub phone: String,
    #[validate(custom(function = "valid_phone"))]
    #[schema(value_type = Option<PhoneNumber>, example = "988")]
    pub text_number: Option<String>,
    /// An `https://` (or `http://`) address.
    #[validate(custom(function = "valid_website"))]
    #[schema(value_type = Option<Website>)]
    pub website: Option<String>,
    pub available_24_7: bool,
    /// Lines are listed by this number, lowest first.
    #[validate(range(min = 0, max = 10000, message = "must be between 0 and 10000"))]
    #[schema(minimum = 0, maximum = 10000)]
    pub sort_order: i32,
}

/// An admin's change to a support line: only the fields given change; `null` clears
/// `text_number` or `website`. A name or description is replaced in both languages at once.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "phone": "1-800-268-7708",
    "website": "https://www.veterans.gc.ca",
    "sort_order": 30
}))]
pub struct SupportLineChanges {
    #[validate(nested)]
    pub name: Option<SupportLineName>,
    #[validate(nested)]
    pub description: Option<SupportLineDescription>,
    #[validate(custom(function = "valid_phone"))]
    #[schema(value_type = Option<PhoneNumber>)]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "valid_phone"))]
    #[schema(value_type = Option<PhoneNumber>)]
    pub text_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "valid_website"))]
    #[schema(value_type = Option<Website>)]
    pub website: Option<Option<String>>,
    pub available_24_7: Option<bool>,
    #[validate(range(min = 0, max = 10000, message = "must be between 0 and 10000"))]
    #[schema(minimum = 0, maximum = 10000)]
    pub sort_order: Option<i32>,
}

/// A present field, even `null`, as `Some`; an absent one stays `None` (`#[serde(default)]`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
