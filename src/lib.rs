//! cargo-readiness: a release-readiness report for every crate of a Cargo workspace.
//!
//! The pipeline runs one way, stage by stage (see `DESIGN.md`):
//! [`workspace`] → [`package`] → [`checks`] → [`report`] → [`site`] → [`output`].
//! Only [`output`] writes to disk.

pub mod baseline;
pub mod build;
pub mod cache;
pub mod card;
pub mod checks;
pub mod cli;
pub mod config;
pub mod diff;
pub mod error;
pub mod format;
pub mod index_cache;
pub mod lockfile;
pub mod manifest;
pub mod memo;
pub mod output;
pub mod package;
pub mod paths;
pub mod plan;
pub mod preview;
pub mod readme;
pub mod registry;
pub mod report;
pub mod revision;
pub mod run;
pub mod secrets;
pub mod shown;
pub mod signoff;
pub mod site;
pub mod verify;
pub mod workspace;

pub use error::Error;
pub use run::{Outcome, run};
