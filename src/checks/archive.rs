//! Checks on the packaged archive.

use super::{Outcome, Subject};
use crate::format::human_size;
use crate::package::MAX_CRATE_SIZE;

pub fn crate_too_large(s: &Subject) -> Outcome {
    let size = s.archive.compressed_size;
    if size <= MAX_CRATE_SIZE {
        return Outcome::Pass(format!(
            "The compressed crate is {} ({:.1}% of the 10 MiB limit).",
            human_size(size),
            size as f64 * 100.0 / MAX_CRATE_SIZE as f64
        ));
    }
    let mut largest: Vec<_> = s.archive.files.iter().collect();
    largest.sort_by(|a, b| b.size.cmp(&a.size).then(a.path.cmp(&b.path)));
    let names: Vec<String> = largest
        .iter()
        .take(3)
        .map(|f| {
            format!(
                "{} ({})",
                crate::format::slash_path(&f.path),
                human_size(f.size)
            )
        })
        .collect();
    Outcome::fail(
        format!(
            "The compressed crate is {} ({size} bytes); crates.io refuses uploads over 10 MiB (10485760 bytes).",
            human_size(size)
        ),
        format!(
            "Leave large files out with `exclude` in [package]; the largest are {}.",
            names.join(", ")
        ),
    )
}
