//! Runs, on every instance, the seat-offer sweep (`offers::sweep`): every `OFFER_SWEEP_SECS`,
//! and at once when a seat frees on this instance, it expires due offers and offers free seats
//! to the waiting lists. Instances sweeping together offer each seat once (`offers::sweep`
//! takes the group's offer lock and writes conditionally).

use std::{sync::Arc, time::Duration};

use super::offers;
use crate::db::DbPool;

/// Runs the sweeper on the current (actix) runtime until it stops.
pub fn spawn(
    pool: DbPool,
    ttl: Duration,
    every: Duration,
    seats_freed: Arc<tokio::sync::Notify>,
) -> actix_web::rt::task::JoinHandle<()> {
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    actix_web::rt::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = seats_freed.notified() => {}
            }
            let pass = pool
                .run(move |conn| offers::sweep(conn, crate::db::now(), ttl))
                .await;
            if let Err(e) = pass {
                log::warn!("seat offers: {e}; trying again later");
            }
        }
    })
}
