use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    db::schema::{consent_documents, consent_records},
    domain::vocabulary,
    language::Language,
};

vocabulary! {
    ConsentKind {
        CodeOfConduct = "code_of_conduct",
        ParticipationConsent = "participation_consent",
        ConfidentialityAgreement = "confidentiality_agreement",
        SafetyAndEmergencyProtocol = "safety_and_emergency_protocol",
        ReferralInformationSharing = "referral_information_sharing",
    }
}

impl ConsentKind {
    /// The consents a person must have granted (current version, not withdrawn) to be placed.
    pub const REQUIRED_FOR_PLACEMENT: [ConsentKind; 4] = [
        ConsentKind::CodeOfConduct,
        ConsentKind::ParticipationConsent,
        ConsentKind::ConfidentialityAgreement,
        ConsentKind::SafetyAndEmergencyProtocol,
    ];
}

vocabulary! {
    Decision { Granted = "granted", Refused = "refused", Withdrawn = "withdrawn" }
}

vocabulary! {
    /// `electronic`: the person in the app. `verbal_at_intake`: said aloud at the intake meeting
    /// and recorded by a coordinator.
    ConsentMethod { Electronic = "electronic", VerbalAtIntake = "verbal_at_intake" }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = consent_documents)]
pub struct DocumentRow {
    pub id: String,
    pub kind: ConsentKind,
    pub version: i32,
    pub language: Language,
    pub title: String,
    pub body: String,
    pub published_by: Option<String>,
    pub published_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = consent_records)]
pub struct RecordRow {
    pub id: String,
    pub person_id: String,
    pub document_id: String,
    pub decision: Decision,
    pub method: ConsentMethod,
    pub recorded_by: String,
    pub withdraws_record_id: Option<String>,
    pub recorded_at: NaiveDateTime,
}

/// One version of a consent document in one language.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "c0ffee00-1111-4222-8333-444455556666",
    "kind": ConsentKind::ConfidentialityAgreement,
    "version": 2,
    "language": "en",
    "title": "Confidentiality agreement",
    "body": "What is said in the group stays in the group, except in situations of imminent harm to a person, child abuse, or subpoena.",
    "current": true,
    "published_at": "2026-11-25T14:03:07.123456Z"
}))]
pub struct Document {
    pub id: String,
    pub kind: ConsentKind,
    pub version: i32,
    pub language: Language,
    pub title: String,
    pub body: String,
    /// Whether this is the version new consents are given to.
    pub current: bool,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub items: Vec<Document>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    pub kind: Option<ConsentKind>,
    pub language: Option<Language>,
}

/// A new version of a consent document in one language (admin). It becomes the current
/// version for new consents; earlier grants stay as they were, but placement asks for the
/// current version.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": ConsentKind::ConfidentialityAgreement,
    "language": "en",
    "title": "Confidentiality agreement",
    "body": "What is said in the group stays in the group, except in situations of imminent harm to a person, child abuse, or subpoena."
}))]
pub struct CreateDocument {
    pub kind: ConsentKind,
    pub language: Language,
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[validate(length(min = 1, max = 20000, message = "must be 1 to 20000 characters"))]
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
}

/// One fact of the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentRecord {
    pub id: String,
    pub person_id: String,
    pub document_id: String,
    pub kind: ConsentKind,
    pub version: i32,
    pub language: Language,
    pub decision: Decision,
    pub method: ConsentMethod,
    pub recorded_by: String,
    /// For a withdrawal: the record it withdraws.
    pub withdraws_record_id: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentRecordList {
    pub items: Vec<ConsentRecord>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A grant or refusal. A peer records their own, `electronic`; a coordinator records one said
/// at the intake meeting, `verbal_at_intake`, naming the person.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "document_id": "c0ffee00-1111-4222-8333-444455556666",
    "decision": Decision::Granted,
    "method": ConsentMethod::Electronic
}))]
pub struct CreateRecord {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub document_id: String,
    /// `granted` or `refused` (withdraw with `POST /consent-records/{id}/withdraw`).
    pub decision: Decision,
    pub method: ConsentMethod,
    /// Coordinators: whose consent it is.
    pub person_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordFilter {
    /// Coordinators: whose records (required for them).
    pub person_id: Option<String>,
}
