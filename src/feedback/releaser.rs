//! Releases, on every instance, the answers of sessions whose feedback window has closed: every
//! `FEEDBACK_RELEASE_SECS` it moves them out of the sealed store into the responses, so answers
//! do not wait for someone to read a summary. Instances racing for one session release it once
//! (`service::release_due` takes a lock per session and checks again).

use std::time::Duration;

use super::service;
use crate::db::DbPool;

/// Sessions released per pass at most; the next pass takes the rest.
const PER_PASS: i64 = 100;

/// Runs the releaser on the current (actix) runtime until it stops.
pub fn spawn(
    pool: DbPool,
    secret: [u8; 32],
    window: Duration,
    every: Duration,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            // Full batches mean more are due (a first start on years of sessions): go on.
            loop {
                let pass = pool
                    .run(move |conn| {
                        service::release_due(
                            conn,
                            &secret,
                            window,
                            chrono::Utc::now().naive_utc(),
                            None,
                            PER_PASS,
                        )
                    })
                    .await;
                match pass {
                    Ok(released) if released as i64 == PER_PASS => continue,
                    Ok(_) => break,
                    Err(e) => {
                        log::warn!("feedback release: {e}; trying again later");
                        break;
                    }
                }
            }
        }
    })
}
