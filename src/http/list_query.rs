//! The query string of a list: `limit` and `cursor` make its page, the other parameters its
//! filter. serde's `flatten` would lose `deny_unknown_fields`, so the two are split apart here.

use actix_web::{dev::Payload, error::QueryPayloadError, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::{de::DeserializeOwned, Deserialize};
use utoipa::IntoParams;

use super::caller_check::caller_checked;
use crate::{error::ApiError, pagination::PageRequest};

/// The page parameters every list takes, documented once: `params(GroupFilter, PageParams)`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The filter of a list that has none: any query parameter but the page's is refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unfiltered {}

/// A list's query: the filter `F` (an unknown parameter is 400, as `web::Query` answers) and
/// the page, already checked (`limit` out of range or a cursor this API did not issue is 422,
/// as [`PageRequest::new`] answers). Like a body, it answers only once the caller is checked.
pub struct ListQuery<F = Unfiltered> {
    pub filter: F,
    pub page: PageRequest,
}

impl<F: DeserializeOwned + 'static> FromRequest for ListQuery<F> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<ListQuery<F>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = read(req.query_string());
        let caller_checked = caller_checked(req);
        Box::pin(async move {
            caller_checked.await;
            Ok(query?)
        })
    }
}

fn read<F: DeserializeOwned>(query: &str) -> Result<ListQuery<F>, ApiError> {
    let (page, filter): (Vec<&str>, Vec<&str>) =
        query.split('&').partition(|pair| is_page_parameter(pair));
    let filter = web::Query::<F>::from_query(&filter.join("&")).map_err(invalid)?;
    let page = web::Query::<PageParams>::from_query(&page.join("&")).map_err(invalid)?;
    Ok(ListQuery {
        filter: filter.into_inner(),
        page: PageRequest::new(page.limit, page.cursor.as_deref())?,
    })
}

/// Whether a `name=value` pair of the query names `limit` or `cursor` (once decoded, as serde
/// reads it).
fn is_page_parameter(pair: &str) -> bool {
    web::Query::<Vec<(String, String)>>::from_query(pair).is_ok_and(|decoded| {
        decoded
            .first()
            .is_some_and(|(name, _)| name == "limit" || name == "cursor")
    })
}

/// The answer the app's `QueryConfig` gives to a query serde cannot read.
fn invalid(error: QueryPayloadError) -> ApiError {
    ApiError::InvalidParameter(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct KindFilter {
        kind: Option<String>,
    }

    #[test]
    fn the_page_is_split_off_and_the_rest_fills_the_filter() {
        let query = read::<KindFilter>("kind=weekly&limit=5").unwrap();
        assert_eq!(query.filter.kind.as_deref(), Some("weekly"));
        assert_eq!(query.page.limit, 5);
        assert!(query.page.after.is_none());
        let encoded = read::<KindFilter>("%6Cimit=7").unwrap();
        assert_eq!(encoded.page.limit, 7);
        assert_eq!(read::<Unfiltered>("").unwrap().page.limit, 20);
    }

    #[test]
    fn unknown_parameters_are_400_and_a_bad_page_422() {
        let status = |query: &str| match read::<KindFilter>(query) {
            Ok(_) => 200,
            Err(error) => error.status().as_u16(),
        };
        assert_eq!(status("colour=red"), 400);
        assert_eq!(status("limit=many"), 400);
        assert_eq!(status("limit=1&limit=2"), 400);
        assert_eq!(status("limit=0"), 422);
        assert_eq!(status("cursor="), 422);
        assert_eq!(status("cursor=garbage"), 422);
        assert!(read::<Unfiltered>("kind=formal").is_err());
    }
}
