//! cargo-readiness: a release-readiness report for every crate of a Cargo workspace.
//!
//! The pipeline runs one way, stage by stage (see `ARCHITECTURE.md`):
//! [`workspace`] → [`package`] → [`preview`], [`registry`], [`build`], [`review`] →
//! [`checks`] → [`report`] → [`site`] → [`output`], driven by [`run`]. Everything stands on
//! [`base`]. Only [`output`] writes the site.

pub mod base;
pub mod build;
pub mod checks;
pub mod cli;
pub mod output;
pub mod package;
pub mod preview;
pub mod registry;
pub mod report;
pub mod review;
pub mod run;
pub mod site;
pub mod workspace;

pub use base::error::Error;
pub use run::{Outcome, run};
