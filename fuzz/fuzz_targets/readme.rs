//! Any bytes as a README: rendering never panics, and gives the same HTML twice.
#![no_main]

use cargo_readiness::preview::readme::{RepoLinks, render_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let links = RepoLinks { repository: Some("https://github.com/o/r"), path_in_repo: "x" };
    let first = render_file("README.md", &text, &links, &|_| None);
    let second = render_file("README.md", &text, &links, &|_| None);
    assert_eq!(first, second);
});
