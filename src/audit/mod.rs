//! The audit log: who did what to which record, when, under which request. Written by the
//! services in the same transaction as the change; read by admins.

pub mod handlers;
pub mod models;
pub mod repository;
pub mod service;

pub use service::{record, record_all, Entry};
