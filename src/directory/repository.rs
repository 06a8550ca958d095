use std::collections::HashMap;

use diesel::prelude::*;

use super::models::{
    ListingAudience, ListingDelivery, ListingEdit, ListingRow, ListingStatus, Province,
};
use crate::{
    db::{
        schema::{directory_listing_audiences, directory_listing_languages, directory_listings},
        Conn,
    },
    language::Language,
    pagination::PageRequest,
};

/// What a page of listings is narrowed to.
#[derive(Debug)]
pub struct ListingFilter {
    pub status: ListingStatus,
    pub province: Option<Province>,
    pub audience: Option<ListingAudience>,
    pub delivery: Option<ListingDelivery>,
    pub language: Option<Language>,
    /// `LIKE` patterns over the folded search text, all of which must match.
    pub patterns: Vec<String>,
}

pub fn insert(
    conn: &mut Conn,
    row: &ListingRow,
    audiences: &[ListingAudience],
    languages: &[Language],
) -> QueryResult<()> {
    diesel::insert_into(directory_listings::table)
        .values(row)
        .execute(conn)?;
    insert_tags(conn, &row.id, audiences, languages)
}

fn insert_tags(
    conn: &mut Conn,
    id: &str,
    audiences: &[ListingAudience],
    languages: &[Language],
) -> QueryResult<()> {
    // One row at a time: batch inserts do not compile through the multi-backend connection.
    for audience in audiences {
        diesel::insert_into(directory_listing_audiences::table)
            .values((
                directory_listing_audiences::listing_id.eq(id),
                directory_listing_audiences::audience.eq(audience),
            ))
            .execute(conn)?;
    }
    for language in languages {
        diesel::insert_into(directory_listing_languages::table)
            .values((
                directory_listing_languages::listing_id.eq(id),
                directory_listing_languages::language.eq(language),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces a listing's audience and language tags.
pub fn replace_tags(
    conn: &mut Conn,
    id: &str,
    audiences: &[ListingAudience],
    languages: &[Language],
) -> QueryResult<()> {
    diesel::delete(
        directory_listing_audiences::table.filter(directory_listing_audiences::listing_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        directory_listing_languages::table.filter(directory_listing_languages::listing_id.eq(id)),
    )
    .execute(conn)?;
    insert_tags(conn, id, audiences, languages)
}

pub fn find(conn: &mut Conn, id: &str) -> QueryResult<Option<ListingRow>> {
    directory_listings::table.find(id).first(conn).optional()
}

pub fn exists(conn: &mut Conn, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(directory_listings::table.find(id))).get_result(conn)
}

pub fn list(
    conn: &mut Conn,
    filter: &ListingFilter,
    page: &PageRequest,
) -> QueryResult<Vec<ListingRow>> {
    let mut q = directory_listings::table
        .filter(directory_listings::status.eq(filter.status))
        .into_boxed();
    if let Some(province) = filter.province {
        q = q.filter(directory_listings::province.eq(province));
    }
    if let Some(delivery) = filter.delivery {
        q = q.filter(directory_listings::delivery.eq(delivery));
    }
    if let Some(audience) = filter.audience {
        q = q.filter(
            directory_listings::id.eq_any(
                directory_listing_audiences::table
                    .filter(directory_listing_audiences::audience.eq(audience))
                    .select(directory_listing_audiences::listing_id),
            ),
        );
    }
    if let Some(language) = filter.language {
        q = q.filter(
            directory_listings::id.eq_any(
                directory_listing_languages::table
                    .filter(directory_listing_languages::language.eq(language))
                    .select(directory_listing_languages::listing_id),
            ),
        );
    }
    for pattern in &filter.patterns {
        q = q.filter(
            directory_listings::search_text
                .like(pattern.clone())
                .escape('\\'),
        );
    }
    crate::pagination::keyset_page!(
        q,
        page,
        directory_listings::created_at,
        directory_listings::id
    )
    .load(conn)
}

/// Audience and language tags of some listings, by listing id.
#[derive(Debug, Default)]
pub struct ListingTags {
    audiences: HashMap<String, Vec<ListingAudience>>,
    languages: HashMap<String, Vec<Language>>,
}

impl ListingTags {
    /// The audiences and languages of listing `id`, taken out (none for a listing without).
    pub fn take(&mut self, id: &str) -> (Vec<ListingAudience>, Vec<Language>) {
        (
            self.audiences.remove(id).unwrap_or_default(),
            self.languages.remove(id).unwrap_or_default(),
        )
    }
}

/// The audience and language tags of these listings.
pub fn tags(conn: &mut Conn, ids: &[String]) -> QueryResult<ListingTags> {
    let mut tags = ListingTags::default();
    if ids.is_empty() {
        return Ok(tags);
    }
    let audience_rows: Vec<(String, ListingAudience)> = directory_listing_audiences::table
        .filter(directory_listing_audiences::listing_id.eq_any(ids))
        .select((
            directory_listing_audiences::listing_id,
            directory_listing_audiences::audience,
        ))
        .load(conn)?;
    for (id, audience) in audience_rows {
        tags.audiences.entry(id).or_default().push(audience);
    }
    let language_rows: Vec<(String, Language)> = directory_listing_languages::table
        .filter(directory_listing_languages::listing_id.eq_any(ids))
        .select((
            directory_listing_languages::listing_id,
            directory_listing_languages::language,
        ))
        .load(conn)?;
    for (id, language) in language_rows {
        tags.languages.entry(id).or_default().push(language);
    }
    Ok(tags)
}

/// Writes `edit` only if the listing is still at `version` (compare-and-set): 0 when it is
/// not, because another write got there first.
pub fn update_if_version(
    conn: &mut Conn,
    id: &str,
    version: i64,
    edit: &ListingEdit,
) -> QueryResult<usize> {
    diesel::update(
        directory_listings::table
            .filter(directory_listings::id.eq(id))
            .filter(directory_listings::version.eq(version)),
    )
    .set(edit)
    .execute(conn)
}
