// Kept in step with both migration folders (the same tables on SQLite and PostgreSQL).

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        preferred_language -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        contact_methods -> Text,
        time_zone -> Text,
        discreet -> Bool,
        phone -> Nullable<Text>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    partner_clients (id) {
        id -> Text,
        name -> Text,
        client_id -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    program_groups (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        kind -> Text,
        language -> Text,
        identity_focus -> Nullable<Text>,
        time_zone -> Text,
        capacity -> Integer,
        seats_taken -> Integer,
        status -> Text,
        meeting_link -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_audiences (group_id, audience) {
        group_id -> Text,
        audience -> Text,
    }
}

diesel::table! {
    group_facilitators (group_id, user_id) {
        group_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    group_participants (group_id, user_id) {
        group_id -> Text,
        user_id -> Text,
        status -> Text,
        joined_at -> Timestamp,
    }
}

diesel::table! {
    group_sessions (id) {
        id -> Text,
        group_id -> Text,
        topic -> Nullable<Text>,
        starts_at -> Timestamp,
        duration_minutes -> Integer,
        meeting_link -> Nullable<Text>,
        status -> Text,
        cancel_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    attendance (session_id, participant_id) {
        session_id -> Text,
        participant_id -> Text,
        present -> Bool,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    intake_applications (id) {
        id -> Text,
        peer_id -> Nullable<Text>,
        source -> Text,
        partner_id -> Nullable<Text>,
        status -> Text,
        preferred_language -> Text,
        group_kind -> Text,
        identity_preference -> Nullable<Text>,
        availability -> Nullable<Text>,
        contact_methods -> Text,
        assigned_coordinator_id -> Nullable<Text>,
        form_answers -> Nullable<Text>,
        meeting_at -> Nullable<Timestamp>,
        readiness -> Nullable<Text>,
        safety_notes -> Nullable<Text>,
        placed_group_id -> Nullable<Text>,
        waitlist_group_id -> Nullable<Text>,
        waitlisted_at -> Nullable<Timestamp>,
        close_reason -> Nullable<Text>,
        respond_by -> Timestamp,
        first_response_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        meeting_mode -> Nullable<Text>,
        meeting_link -> Nullable<Text>,
        meeting_location -> Nullable<Text>,
    }
}

diesel::table! {
    intake_events (id) {
        id -> Text,
        application_id -> Text,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        note -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    consent_documents (id) {
        id -> Text,
        kind -> Text,
        version -> Integer,
        language -> Text,
        title -> Text,
        body -> Text,
        published_by -> Nullable<Text>,
        published_at -> Timestamp,
    }
}

diesel::table! {
    consent_records (id) {
        id -> Text,
        person_id -> Text,
        document_id -> Text,
        decision -> Text,
        method -> Text,
        recorded_by -> Text,
        withdraws_record_id -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    placements (id) {
        id -> Text,
        application_id -> Text,
        group_id -> Text,
        peer_id -> Text,
        status -> Text,
        placed_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    placement_offers (id) {
        id -> Text,
        group_id -> Text,
        application_id -> Text,
        peer_id -> Text,
        status -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        recipient_id -> Nullable<Text>,
        kind -> Text,
        language -> Text,
        subject -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        recipient_email -> Nullable<Text>,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        partner_id -> Text,
        application_id -> Text,
        person_name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        notes -> Nullable<Text>,
        consent_to_contact -> Bool,
        created_at -> Timestamp,
        modified_at -> Timestamp,
    }
}

diesel::table! {
    referral_idempotency_keys (partner_id, idempotency_key) {
        partner_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        referral_id -> Text,
        response_body -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    referral_claim_codes (code_hash) {
        code_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    feedback_grants (session_id, person_id) {
        session_id -> Text,
        person_id -> Text,
    }
}

diesel::table! {
    feedback_spent_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
    }
}

diesel::table! {
    feedback_pending (id) {
        id -> Text,
        session_id -> Text,
        sealed -> Text,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    feedback_released (session_id) {
        session_id -> Text,
        counted -> Bool,
    }
}

diesel::table! {
    feedback_responses (id) {
        id -> Text,
        session_id -> Text,
        submitted_on -> Date,
        felt_safe -> Nullable<SmallInt>,
        felt_heard -> Nullable<SmallInt>,
        found_useful -> Nullable<SmallInt>,
        would_recommend -> Nullable<SmallInt>,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    email_verifications (user_id) {
        user_id -> Text,
        verified_at -> Timestamp,
    }
}

diesel::table! {
    account_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(group_audiences -> program_groups (group_id));
diesel::joinable!(group_facilitators -> program_groups (group_id));
diesel::joinable!(group_facilitators -> users (user_id));
diesel::joinable!(group_participants -> program_groups (group_id));
diesel::joinable!(group_participants -> users (user_id));
diesel::joinable!(group_sessions -> program_groups (group_id));
diesel::joinable!(attendance -> group_sessions (session_id));
diesel::joinable!(intake_events -> intake_applications (application_id));
diesel::joinable!(consent_records -> consent_documents (document_id));
diesel::joinable!(placements -> program_groups (group_id));
diesel::joinable!(placement_offers -> program_groups (group_id));
diesel::joinable!(feedback_responses -> group_sessions (session_id));
diesel::joinable!(feedback_pending -> group_sessions (session_id));
diesel::joinable!(feedback_released -> group_sessions (session_id));
diesel::joinable!(referrals -> intake_applications (application_id));
diesel::joinable!(referrals -> partner_clients (partner_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    refresh_tokens,
    partner_clients,
    audit_events,
    program_groups,
    group_audiences,
    group_facilitators,
    group_participants,
    group_sessions,
    attendance,
    intake_applications,
    intake_events,
    consent_documents,
    consent_records,
    placements,
    placement_offers,
    notifications,
    feedback_grants,
    feedback_spent_tokens,
    feedback_responses,
    feedback_pending,
    feedback_released,
    rate_limits,
    email_verifications,
    account_tokens,
    referrals,
    referral_idempotency_keys,
    referral_claim_codes,
);
// Directory and support-line tables follow.

diesel::table! {
    directory_listings (id) {
        id -> Text,
        organization -> Text,
        name -> Text,
        description -> Text,
        eligibility -> Nullable<Text>,
        province -> Text,
        city -> Nullable<Text>,
        delivery -> Text,
        schedule_weekday -> Nullable<Text>,
        schedule_start_time -> Nullable<Text>,
        schedule_end_time -> Nullable<Text>,
        schedule_time_zone -> Nullable<Text>,
        schedule_notes -> Nullable<Text>,
        cost -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_website -> Nullable<Text>,
        available_24_7 -> Bool,
        status -> Text,
        review_note -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        submitted_by -> Nullable<Text>,
        submitted_by_role -> Nullable<Text>,
        search_text -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    directory_listing_audiences (listing_id, audience) {
        listing_id -> Text,
        audience -> Text,
    }
}

diesel::table! {
    directory_listing_languages (listing_id, language) {
        listing_id -> Text,
        language -> Text,
    }
}

diesel::table! {
    support_lines (id) {
        id -> Text,
        name_en -> Text,
        name_fr -> Text,
        description_en -> Text,
        description_fr -> Text,
        phone -> Text,
        text_number -> Nullable<Text>,
        website -> Nullable<Text>,
        available_24_7 -> Bool,
        sort_order -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    directory_listings,
    directory_listing_audiences,
    directory_listing_languages,
);
