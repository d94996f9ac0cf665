//! Any bytes as a recipe for a git tree (hostile names, links, submodules, nesting): the
//! revision reader writes nothing outside its throwaway folder, and no link it writes
//! leads out of it (see `fuzz/random_tree.rs`).
#![no_main]

#[path = "../random_tree.rs"]
mod random_tree;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| random_tree::check(data));
