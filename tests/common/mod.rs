//! Helpers shared by the test crates. Each crate includes this module and uses what it
//! needs, so not every helper is used by every crate.
#![allow(dead_code)]

pub mod cards;
pub mod keys;
pub mod registry;
pub mod repo;
