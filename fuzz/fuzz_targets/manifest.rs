//! Any bytes as a Cargo.toml: parsing and reading the workspace keys never panic.
#![no_main]

use cargo_readiness::workspace::manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(parsed) = manifest::parse(text)
    {
        let _ = manifest::WorkspaceManifest::new(std::path::Path::new("/ws"), &parsed);
    }
});
