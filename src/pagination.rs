//! Cursor pagination shared by every list: `limit` (default 20, at most 100) and an opaque
//! `cursor` naming the last item seen, ordered by creation time then id, so rows inserted while
//! a client pages never make an item appear twice or go missing.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::NaiveDateTime;

use crate::{
    domain::time,
    error::{ApiError, FieldError},
};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// The longest id a cursor may carry (ids are UUIDs, 36 characters).
pub const MAX_ID_CHARS: usize = 64;

/// Where a page starts: after this (created_at, id).
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub created_at: NaiveDateTime,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let micros = self.created_at.and_utc().timestamp_micros();
        URL_SAFE_NO_PAD.encode(format!("{micros}|{}", self.id))
    }

    /// The cursor `raw` names, if it could be one this API issued: a time within the accepted
    /// years and an id of at most [`MAX_ID_CHARS`] printable characters, so that every backend
    /// can compare a column with it (PostgreSQL refuses NUL in text and years past its range).
    pub fn decode(raw: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (micros, id) = text.split_once('|')?;
        let created_at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
        if !time::in_range(created_at)
            || id.chars().count() > MAX_ID_CHARS
            || id.chars().any(char::is_control)
        {
            return None;
        }
        Some(Cursor {
            created_at,
            id: id.to_string(),
        })
    }
}

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::Validation(vec![FieldError::new(
                "limit",
                "range",
                format!("must be between 1 and {MAX_LIMIT}"),
            )]));
        }
        let after = match cursor {
            None => None,
            Some(raw) => Some(Cursor::decode(raw).ok_or_else(|| {
                ApiError::Validation(vec![FieldError::new(
                    "cursor",
                    "cursor",
                    "is not a cursor this API returned",
                )])
            })?),
        };
        Ok(PageRequest { limit, after })
    }

    /// Cuts the `limit + 1` rows a query fetched down to a page and the cursor of the next one.
    pub fn finish<T>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> Cursor,
    ) -> (Vec<T>, Option<String>) {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next = if more {
            rows.last().map(|last| key(last).encode())
        } else {
            None
        };
        (rows, next)
    }
}

/// Pages a boxed diesel query by (`$time`, `$id`): the rows after the page's cursor, in that
/// order, one more than the limit (see [`PageRequest::finish`]).
macro_rules! keyset_page {
    ($query:expr, $page:expr, $time:expr, $id:expr) => {{
        let mut query = $query;
        if let Some(after) = &$page.after {
            // The redundant `>=` bounds an index range scan; without it the OR is only a
            // filter, and a page deep in a large table walks every row before it.
            query = query.filter($time.ge(after.created_at)).filter(
                $time
                    .gt(after.created_at)
                    .or($time.eq(after.created_at).and($id.gt(after.id.clone()))),
            );
        }
        query.order(($time.asc(), $id.asc())).limit($page.limit + 1)
    }};
}
pub(crate) use keyset_page;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            created_at: chrono::DateTime::from_timestamp_micros(1_764_000_000_123_456)
                .unwrap()
                .naive_utc(),
            id: "9f0c".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert!(PageRequest::new(None, Some("not a cursor")).is_err());
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(101), None).is_err());
        assert_eq!(PageRequest::new(None, None).unwrap().limit, 20);
    }

    #[test]
    fn cursors_no_backend_can_hold_are_refused() {
        let raw = |text: &str| URL_SAFE_NO_PAD.encode(text);
        assert!(Cursor::decode(&raw("1764000000123456|9f0c\0")).is_none());
        assert!(Cursor::decode(&raw("1764000000123456|9f\u{7}0c")).is_none());
        assert!(Cursor::decode(&raw(&format!("1764000000123456|{}", "a".repeat(65)))).is_none());
        assert!(Cursor::decode(&raw(&format!("1764000000123456|{}", "a".repeat(64)))).is_some());
        // Year -250,000 and year 0: chrono holds them, PostgreSQL and RFC 3339 do not.
        assert!(Cursor::decode(&raw("-7951272000000000000|9f0c")).is_none());
        assert!(Cursor::decode(&raw("-62167219200000000|9f0c")).is_none());
        assert!(Cursor::decode(&raw("253402300799999999|9f0c")).is_some());
        assert!(Cursor::decode(&raw("253402300800000000|9f0c")).is_none());
        assert!(Cursor::decode(&raw("99999999999999999999999|9f0c")).is_none());
    }
}
