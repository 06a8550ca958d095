use actix_web::{get, post, web, HttpResponse};

use super::{models::*, offers, placements, service, Reactions};
use crate::{
    auth::{AccountHolder, Leader, Peer, PeerOrStaff, Staff},
    error::{responses, ApiError},
    groups::models::Roster,
    http::{
        extractors::ValidJson,
        list_query::{ListQuery, PageParams},
    },
    state::AppState,
};

/// Apply to join a group (peer)
///
/// Starts the six-step intake. The program answers within two business days (`respond_by`,
/// skipping weekends and federal holidays). One open application per person: another while one
/// is open answers 409 `application-open` with its URL (`Location`, `open_application`). Ten
/// applications a day per person, then 429.
#[utoipa::path(
    operation_id = "createIntakeApplication",
    tag = "intake",
    request_body = CreateApplication,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The application", body = Application,
            headers(("Location" = String, description = "The application's URL"))),
        responses::AuthWrite,
        (status = 409, response = responses::Conflict),
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/intake-applications")]
pub async fn create_application(
    state: web::Data<AppState>,
    reactions: web::Data<Reactions>,
    caller: Peer,
    body: ValidJson<CreateApplication>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let st = state.clone();
    let application = state
        .pool
        .run(move |conn| {
            st.limits.intake_application(conn, &caller.id)?;
            service::create(conn, &caller, &reactions, &body)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/intake-applications/{}", application.id),
        ))
        .json(application))
}

/// List intake applications
///
/// A peer sees their own; coordinators see all, by status, assigned coordinator
/// (`assigned_to=me` for the caller's own) or `overdue`. The assigned coordinator and admins
/// also see who applied and how to reach them (`applicant`).
/// Every application read is audited.
#[utoipa::path(
    operation_id = "listIntakeApplications",
    tag = "intake",
    params(ApplicationFilter, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of applications", body = ApplicationList),
        responses::AuthList,
    )
)]
#[get("/intake-applications")]
pub async fn list_applications(
    state: web::Data<AppState>,
    reactions: web::Data<Reactions>,
    caller: PeerOrStaff,
    query: ListQuery<ApplicationFilter>,
) -> Result<web::Json<ApplicationList>, ApiError> {
    let ListQuery { filter, page } = query;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list(conn, &caller, &reactions, &filter, &page))
            .await?,
    ))
}

/// Read an intake application
///
/// Its peer or a coordinator; anyone else gets 404.
#[utoipa::path(
    operation_id = "getIntakeApplication",
    tag = "intake",
    params(("id" = String, Path, description = "The application's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The application", body = Application),
        responses::AuthRead,
    )
)]
#[get("/intake-applications/{id}")]
pub async fn get_application(
    state: web::Data<AppState>,
    reactions: web::Data<Reactions>,
    caller: PeerOrStaff,
    id: web::Path<String>,
) -> Result<web::Json<Application>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::get(conn, &caller, &reactions, &id))
            .await?,
    ))
}

/// Where is my application? (the timeline)
///
/// Every step so far, described in the application's language. Coordinators also see who made
/// each move and their notes.
#[utoipa::path(
    operation_id = "getIntakeTimeline",
    tag = "intake",
    params(("id" = String, Path, description = "The application's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The timeline, oldest first", body = Timeline),
        responses::AuthRead,
    )
)]
#[get("/intake-applications/{id}/events")]
pub async fn get_timeline(
    state: web::Data<AppState>,
    caller: PeerOrStaff,
    id: web::Path<String>,
) -> Result<web::Json<Timeline>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::timeline(conn, &caller, &id))
            .await?,
    ))
}

/// A group's waiting list (coordinator)
///
/// Applications waiting for the group, first come first served: when a seat frees, place the
/// first one.
#[utoipa::path(
    operation_id = "getGroupWaitlist",
    tag = "intake",
    params(("id" = String, Path, description = "The group's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "Waiting applications, in order", body = ApplicationList),
        responses::AuthRead,
    )
)]
#[get("/groups/{id}/waitlist")]
pub async fn group_waitlist(
    state: web::Data<AppState>,
    reactions: web::Data<Reactions>,
    caller: Staff,
    id: web::Path<String>,
) -> Result<web::Json<ApplicationList>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| placements::waitlist_of_group(conn, &caller, &reactions, &id))
            .await?,
    ))
}

/// A group's roster (the group's facilitators, staff)
///
/// Display names and attendance only: never intake answers or contact details. The group's
/// mental health professionals and staff also see each confirmed participant's safety notes
/// (audited).
#[utoipa::path(
    operation_id = "getGroupRoster",
    tag = "groups",
    params(("id" = String, Path, description = "The group's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The group's participants", body = Roster),
        responses::AuthRead,
    )
)]
#[get("/groups/{id}/roster")]
pub async fn group_roster(
    state: web::Data<AppState>,
    caller: Leader,
    id: web::Path<String>,
) -> Result<web::Json<Roster>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| placements::roster(conn, &caller, &id))
            .await?,
    ))
}

/// My placements
///
/// The caller's seats in groups: `confirmed`, `suspended` or `ended`.
#[utoipa::path(
    operation_id = "listMyPlacements",
    tag = "intake",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The caller's placements", body = PlacementList),
        responses::AuthOwn,
    )
)]
#[get("/me/placements")]
pub async fn my_placements(
    state: web::Data<AppState>,
    caller: AccountHolder,
) -> Result<web::Json<PlacementList>, ApiError> {
    Ok(web::Json(
        state
            .pool
            .run(move |conn| placements::my_placements(conn, &caller))
            .await?,
    ))
}

/// Hand an application to another coordinator (coordinator)
///
/// An open, assigned application goes to another active coordinator (or admin); its status does
/// not change. The timeline and the audit log record it, and both coordinators are told. The
/// new coordinator then sees the applicant's contact details; the previous one no longer does.
#[utoipa::path(
    operation_id = "reassignIntakeApplication",
    tag = "intake",
    params(("id" = String, Path, description = "The application's id")),
    request_body = Reassign,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The application, reassigned", body = Application),
        responses::AuthChange,
    )
)]
#[post("/intake-applications/{id}/reassign")]
pub async fn reassign(
    state: web::Data<AppState>,
    reactions: web::Data<Reactions>,
    caller: Staff,
    id: web::Path<String>,
    body: ValidJson<Reassign>,
) -> Result<web::Json<Application>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::reassign(conn, &caller, &reactions, &id, &body))
            .await?,
    ))
}

/// One action endpoint per move of the journey: the same shape for each, documented alike.
macro_rules! intake_move {
    ($name:ident, $path:literal, $operation:literal, $body:ty, $service:path, $caller:ty, $summary:literal, $description:literal) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = $description]
        #[doc = "A move the current state does not allow answers 409 `invalid-transition` with the allowed moves."]
        #[utoipa::path(
            operation_id = $operation,
            tag = "intake",
            params(("id" = String, Path, description = "The application's id")),
            request_body = $body,
            security(("bearer_auth" = [])),
            responses(
                (status = 200, description = "The application after the move", body = Application),
                responses::AuthChange,
            )
        )]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            reactions: web::Data<Reactions>,
            caller: $caller,
            id: web::Path<String>,
            body: ValidJson<$body>,
        ) -> Result<web::Json<Application>, ApiError> {
            let (id, body) = (id.into_inner(), body.into_inner());
            let moved = state.pool.run(move |conn| $service(conn, &caller, &reactions, &id, &body)).await?;
            // A withdrawal, a closing or a placement may have freed a seat: offer it now.
            state.seats_freed.notify_one();
            Ok(web::Json(moved))
        }
    };
}

intake_move!(
    assign,
    "/intake-applications/{id}/assign",
    "assignIntakeApplication",
    Assign,
    service::assign,
    Staff,
    "Assign a coordinator and send the intake form (coordinator)",
    "`submitted → form_sent`. The peer is sent the intake form."
);
intake_move!(
    submit_form,
    "/intake-applications/{id}/form",
    "submitIntakeForm",
    IntakeForm,
    service::submit_form,
    Peer,
    "Send my intake form (the applicant)",
    "`form_sent → form_received`. The answers are seen only by the applicant and coordinators; an acknowledgement is sent."
);
intake_move!(
    schedule_meeting,
    "/intake-applications/{id}/schedule-meeting",
    "scheduleIntakeMeeting",
    ScheduleMeeting,
    service::schedule_meeting,
    Staff,
    "Schedule the intake meeting (coordinator)",
    "`form_received`, `not_ready` or `meeting_scheduled` → `meeting_scheduled`. The meeting is held by `phone`, by `video` (its https `link` required) or `in_person` (its `location` required); the peer is told when and how, and finds the link or the place in their application (never in a mail)."
);
intake_move!(
    record_meeting,
    "/intake-applications/{id}/record-meeting",
    "recordIntakeMeeting",
    RecordMeeting,
    service::record_meeting,
    Staff,
    "Record the intake meeting (coordinator)",
    "`meeting_scheduled → ready | not_ready`. `ready` needs the code of conduct, consents and safety plan reviewed. A `not_ready` answer carries the support lines. Before the meeting's scheduled time, 409 `conflict`."
);
intake_move!(
    place,
    "/intake-applications/{id}/place",
    "placeApplicant",
    Place,
    service::place,
    Staff,
    "Place a ready applicant in a group (coordinator)",
    "`ready | waitlisted → placed`, or `waitlisted` when the group has no free seat. The group must take placements (open; a drop-in group also while running) and match the applicant's language and kind. A group whose identity focus differs from the applicant's identity preference, or whose audiences leave out the affiliation they gave on the intake form, answers 409 `placement-mismatch` unless `override_reason` says why to place them anyway (the reason goes to the audit log, action `placement.mismatch_overridden`). Every required consent (code of conduct, participation, confidentiality, safety and emergency protocol) must be granted in its current version — 409 `consents-missing` names the missing ones. Seats are taken with one conditional write, so a group never holds more placements than its capacity."
);
intake_move!(
    move_placement,
    "/intake-applications/{id}/move",
    "moveApplicantToGroup",
    MovePlacement,
    service::move_placement,
    Staff,
    "Move a placed person to another group (coordinator)",
    "`placed → placed`, in another group, without a new intake. The new group is checked as for a placement (takes placements, language and kind; identity focus and audiences or an audited `override_reason`, 409 `placement-mismatch`; every required consent, 409 `consents-missing`). In one transaction its seat is taken with a conditional write, the old placement ends and its seat is freed (offered to that group's waiting list), and the person is told their new group. A group with no free seat answers 409 `conflict` and changes nothing: the person keeps their seat. The same group again answers 422."
);
intake_move!(
    waitlist,
    "/intake-applications/{id}/waitlist",
    "waitlistApplicant",
    Waitlist,
    service::waitlist,
    Staff,
    "Put a ready applicant on the waiting list (coordinator)",
    "`ready → waitlisted`, optionally for one group. The answer carries the support lines."
);
intake_move!(
    withdraw,
    "/intake-applications/{id}/withdraw",
    "withdrawIntakeApplication",
    Withdraw,
    service::withdraw,
    Peer,
    "Withdraw my application (the applicant)",
    "Any open state → `withdrawn`; a placement ends and its seat is freed."
);
intake_move!(
    close,
    "/intake-applications/{id}/close",
    "closeIntakeApplication",
    Close,
    service::close,
    Staff,
    "Close an application with a reason (coordinator)",
    "Any open state → `closed`; a placement ends and its seat is freed. The answer carries the support lines."
);

/// Accept a seat offered to me (the person it is held for)
///
/// `waitlisted → placed`: the seat the offer holds becomes the caller's placement, and the
/// placement notice is sent. Every required consent must be granted — 409 `consents-missing`
/// names the missing ones, and the offer stays open until it expires. An offer that is no longer
/// open, or has expired (its seat then passes to the next person), answers 409. Someone else's
/// offer answers 404.
#[utoipa::path(
    operation_id = "acceptPlacementOffer",
    tag = "intake",
    params(("id" = String, Path, description = "The offer's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The offer, accepted", body = PlacementOffer),
        responses::AuthAction,
    )
)]
#[post("/placement-offers/{id}/accept")]
pub async fn accept_offer(
    state: web::Data<AppState>,
    reactions: web::Data<Reactions>,
    caller: Peer,
    id: web::Path<String>,
) -> Result<web::Json<PlacementOffer>, ApiError> {
    let id = id.into_inner();
    let answer = state
        .pool
        .run(move |conn| offers::accept(conn, &caller, &reactions, &id))
        .await;
    // An expired offer refused here has passed its seat on.
    state.seats_freed.notify_one();
    Ok(web::Json(answer?))
}

/// Decline a seat offered to me (the person it is held for)
///
/// The seat passes to the next person on the group's waiting list (or frees when nobody
/// waits); the caller stays on the list, at its end. An offer that is no longer open, or has
/// expired, answers 409; someone else's offer answers 404.
#[utoipa::path(
    operation_id = "declinePlacementOffer",
    tag = "intake",
    params(("id" = String, Path, description = "The offer's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The offer, declined", body = PlacementOffer),
        responses::AuthAction,
    )
)]
#[post("/placement-offers/{id}/decline")]
pub async fn decline_offer(
    state: web::Data<AppState>,
    caller: Peer,
    id: web::Path<String>,
) -> Result<web::Json<PlacementOffer>, ApiError> {
    let id = id.into_inner();
    let answer = state
        .pool
        .run(move |conn| offers::decline(conn, &caller, &id))
        .await;
    state.seats_freed.notify_one();
    Ok(web::Json(answer?))
}

/// My seat offers
///
/// Seats held for the caller from a waiting list, newest first: `open` until `expires_at`, then
/// `accepted`, `declined`, `expired` or `withdrawn` (with the application).
#[utoipa::path(
    operation_id = "listMyPlacementOffers",
    tag = "intake",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The caller's offers", body = PlacementOfferList),
        responses::AuthOwn,
    )
)]
#[get("/me/placement-offers")]
pub async fn my_offers(
    state: web::Data<AppState>,
    caller: Peer,
) -> Result<web::Json<PlacementOfferList>, ApiError> {
    Ok(web::Json(
        state
            .pool
            .run(move |conn| offers::mine(conn, &caller))
            .await?,
    ))
}

/// A group's seat offers (coordinator)
///
/// Every seat the group offered from its waiting list, newest first, with its answer.
#[utoipa::path(
    operation_id = "listGroupPlacementOffers",
    tag = "intake",
    params(("id" = String, Path, description = "The group's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The group's offers", body = PlacementOfferList),
        responses::AuthRead,
    )
)]
#[get("/groups/{id}/placement-offers")]
pub async fn group_offers(
    state: web::Data<AppState>,
    _caller: Staff,
    id: web::Path<String>,
) -> Result<web::Json<PlacementOfferList>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| offers::of_group(conn, &id))
            .await?,
    ))
}
