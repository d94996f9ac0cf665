//! The review loop: each crate compared with a past revision (`--baseline`), the sign-off
//! file and who may sign (`signoff`), `cargo readiness sign` (a signed row), and
//! `cargo readiness verify` (are the crates signed off, does the registry serve what was
//! signed). Past revisions are read from git objects as hostile data.

pub mod baseline;
pub mod bump;
pub mod revision;
pub mod sign;
pub mod signoff;
pub mod tags;
pub mod verify;
