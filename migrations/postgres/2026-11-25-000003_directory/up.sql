-- The directory of peer support groups run by other organizations, and the crisis and support
-- lines shown to anyone (with the program's own line and two public lines already in place).
CREATE TABLE directory_listings (
    id TEXT PRIMARY KEY,
    organization TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    eligibility TEXT,
    -- A province or territory, or CA for Canada-wide.
    province TEXT NOT NULL CHECK (province IN ('AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT', 'CA')),
    city TEXT,
    delivery TEXT NOT NULL CHECK (delivery IN ('in_person', 'virtual', 'hybrid')),
    schedule_weekday TEXT CHECK (schedule_weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')),
    -- "HH:MM", local time in schedule_time_zone.
    schedule_start_time TEXT,
    schedule_end_time TEXT,
    schedule_time_zone TEXT,
    schedule_notes TEXT,
    cost TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    contact_website TEXT,
    available_24_7 BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected', 'archived')),
    review_note TEXT,
    reviewed_by TEXT REFERENCES users (id),
    reviewed_at TIMESTAMP,
    -- A user's or a partner client's id; NULL for an anonymous submission.
    submitted_by TEXT,
    submitted_by_role TEXT CHECK (submitted_by_role IN ('peer', 'peer_supporter', 'mental_health_professional', 'coordinator', 'admin', 'partner')),
    -- Organization, name, description and city folded (lower case, no accents) in the service,
    -- so free-text search behaves the same on SQLite and PostgreSQL.
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX directory_listings_status_created_at_idx ON directory_listings (status, created_at, id);
CREATE INDEX directory_listings_created_at_idx ON directory_listings (created_at, id);
CREATE INDEX directory_listings_province_idx ON directory_listings (province);

CREATE TABLE directory_listing_audiences (
    listing_id TEXT NOT NULL REFERENCES directory_listings (id),
    audience TEXT NOT NULL CHECK (audience IN ('police', 'firefighters', 'paramedics', 'dispatchers', 'first_responders', 'health_care', 'corrections', 'military', 'veterans', 'families')),
    PRIMARY KEY (listing_id, audience)
);
CREATE INDEX directory_listing_audiences_audience_idx ON directory_listing_audiences (audience);

CREATE TABLE directory_listing_languages (
    listing_id TEXT NOT NULL REFERENCES directory_listings (id),
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    PRIMARY KEY (listing_id, language)
);
CREATE INDEX directory_listing_languages_language_idx ON directory_listing_languages (language);

CREATE TABLE support_lines (
    id TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    description_en TEXT NOT NULL,
    description_fr TEXT NOT NULL,
    phone TEXT NOT NULL,
    text_number TEXT,
    website TEXT,
    available_24_7 BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX support_lines_sort_order_idx ON support_lines (sort_order, created_at, id);

-- The program's own 24/7 line first, then the national crisis line and the Veterans line.
INSERT INTO support_lines (id, name_en, name_fr, description_en, description_fr, phone, text_number, website, available_24_7, sort_order, created_at, updated_at) VALUES
('5d0c1f3a-7b2e-4c59-9a61-000000000001',
 'Sexual Misconduct Support and Resource Centre (SMSRC)',
 'Centre de soutien et de ressources sur l''inconduite sexuelle (CSRIS)',
 'Confidential support, 24 hours a day, 7 days a week, for anyone affected by sexual misconduct in the Canadian Armed Forces or the Department of National Defence, in English or French. You do not need to give your name.',
 'Soutien confidentiel, 24 heures sur 24, 7 jours sur 7, pour toute personne touchée par l''inconduite sexuelle dans les Forces armées canadiennes ou au ministère de la Défense nationale, en français ou en anglais. Vous n''avez pas à donner votre nom.',
 '1-844-750-1648', NULL, NULL, TRUE, 10, '2026-11-25 00:00:00', '2026-11-25 00:00:00'),
('5d0c1f3a-7b2e-4c59-9a61-000000000002',
 '9-8-8: Suicide Crisis Helpline',
 '9-8-8 : Ligne d''aide en cas de crise de suicide',
 'If you are thinking about suicide, or worried about someone, call or text 9-8-8 at any time, in English or French.',
 'Si vous pensez au suicide, ou si vous êtes inquiet pour quelqu''un, appelez ou textez le 9-8-8 en tout temps, en français ou en anglais.',
 '988', '988', 'https://988.ca', TRUE, 20, '2026-11-25 00:00:00', '2026-11-25 00:00:00'),
('5d0c1f3a-7b2e-4c59-9a61-000000000003',
 'VAC Assistance Service',
 'Service d''aide d''ACC',
 'Free, confidential mental health support from Veterans Affairs Canada for Veterans, former RCMP members, their families and caregivers, 24 hours a day, 365 days a year.',
 'Soutien en santé mentale gratuit et confidentiel d''Anciens Combattants Canada pour les vétérans, les anciens membres de la GRC, leur famille et les aidants, 24 heures sur 24, 365 jours par année.',
 '1-800-268-7708', NULL, 'https://www.veterans.gc.ca', TRUE, 30, '2026-11-25 00:00:00', '2026-11-25 00:00:00');
