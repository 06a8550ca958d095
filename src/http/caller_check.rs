//! Answers about the caller come before answers about the input. actix extracts a handler's
//! arguments concurrently, and checking a token means a database read, so a body or query that
//! fails to parse or validate would otherwise answer first. The caller's extractor opens a check
//! for the request; the input's extractors wait until it ends before they answer, so that 401
//! and 403 come before 400, 413, 415 and 422 whatever arrives first.

use std::{
    cell::Cell,
    future::Future,
    rc::Rc,
    task::{Poll, Waker},
};

use actix_web::{HttpMessage, HttpRequest};

#[derive(Default)]
struct State {
    ended: Cell<bool>,
    /// The request's extractors all run in one task, so one waker wakes every one that waits.
    waiting: Cell<Option<Waker>>,
}

/// Held by the caller's extractor while it checks the caller; dropping it ends the check.
pub struct CallerCheck(Rc<State>);

/// The check under way, as the input's extractors find it in the request's extensions.
#[derive(Clone)]
struct Underway(Rc<State>);

impl CallerCheck {
    /// Opens the check of `req`'s caller: input extracted after this waits for it to end.
    pub fn begin(req: &HttpRequest) -> CallerCheck {
        let state = Rc::new(State::default());
        req.extensions_mut().insert(Underway(state.clone()));
        CallerCheck(state)
    }
}

impl Drop for CallerCheck {
    fn drop(&mut self) {
        self.0.ended.set(true);
        if let Some(waker) = self.0.waiting.take() {
            waker.wake();
        }
    }
}

/// Resolves once the check of `req`'s caller has ended, at once when there is none. The caller's
/// extractor must come before the input's in the handler's arguments (they are set up in order).
pub fn caller_checked(req: &HttpRequest) -> impl Future<Output = ()> + 'static {
    let underway = req.extensions().get::<Underway>().cloned();
    std::future::poll_fn(move |cx| match &underway {
        Some(Underway(state)) if !state.ended.get() => {
            state.waiting.set(Some(cx.waker().clone()));
            Poll::Pending
        }
        _ => Poll::Ready(()),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use actix_web::{dev::Payload, test, web, App, FromRequest, HttpRequest, HttpResponse};
    use futures_util::future::LocalBoxFuture;
    use serde::Deserialize;
    use validator::Validate;

    use super::CallerCheck;
    use crate::{
        error::ApiError,
        http::{extractors::ValidJson, list_query::ListQuery},
    };

    /// A caller whose check takes a while (as a token's database read does), then answers as
    /// the `allowed` query parameter says.
    struct SlowCaller;

    impl FromRequest for SlowCaller {
        type Error = ApiError;
        type Future = LocalBoxFuture<'static, Result<SlowCaller, ApiError>>;

        fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
            let allowed = req.headers().contains_key("x-allowed");
            let check = CallerCheck::begin(req);
            Box::pin(async move {
                let _check = check;
                tokio::time::sleep(Duration::from_millis(20)).await;
                if allowed {
                    Ok(SlowCaller)
                } else {
                    Err(ApiError::Forbidden)
                }
            })
        }
    }

    #[derive(Deserialize, Validate)]
    struct Named {
        #[validate(length(min = 1))]
        #[allow(dead_code)]
        name: String,
    }

    async fn write(_: SlowCaller, _: ValidJson<Named>) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }

    async fn list(_: SlowCaller, _: ListQuery) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }

    #[actix_web::test]
    async fn the_caller_is_answered_for_before_the_body_and_the_query() {
        let app = test::init_service(
            App::new()
                .route("/write", web::post().to(write))
                .route("/list", web::get().to(list)),
        )
        .await;
        let post = |body: &'static str, allowed: bool| {
            let mut req = test::TestRequest::post()
                .uri("/write")
                .insert_header(("content-type", "application/json"))
                .set_payload(body);
            if allowed {
                req = req.insert_header(("x-allowed", "yes"));
            }
            req.to_request()
        };
        for body in [r#"{"name": ""}"#, "not json", "[]", r#"{"other": 1}"#] {
            let res = test::call_service(&app, post(body, false)).await;
            assert_eq!(res.status(), 403, "{body}");
        }
        let res = test::call_service(&app, post(r#"{"name": ""}"#, true)).await;
        assert_eq!(res.status(), 422);
        let res = test::call_service(&app, post(r#"{"name": "A"}"#, true)).await;
        assert_eq!(res.status(), 204);

        for query in ["limit=0", "colour=red"] {
            let req = test::TestRequest::get()
                .uri(&format!("/list?{query}"))
                .to_request();
            assert_eq!(test::call_service(&app, req).await.status(), 403, "{query}");
        }
    }
}
