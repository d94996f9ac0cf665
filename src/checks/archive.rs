//! Checks on the packaged archive.

use std::collections::BTreeSet;
use std::path::Path;

use super::{Outcome, Subject};
use crate::format::{human_size, plural, slash_path};
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
        .map(|f| format!("{} ({})", slash_path(&f.path), human_size(f.size)))
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

pub fn crate_large(s: &Subject) -> Outcome {
    let size = s.archive.compressed_size;
    if size <= s.limits.crate_size_warning || size > MAX_CRATE_SIZE {
        return Outcome::Pass(format!(
            "The compressed crate is {} (warning above {}).",
            human_size(size),
            human_size(s.limits.crate_size_warning)
        ));
    }
    Outcome::fail(
        format!(
            "The compressed crate is {}: every user downloads it with every build from scratch.",
            human_size(size)
        ),
        "Look at the largest files below and leave out what the build does not need with exclude = [...].",
    )
}

pub fn secret_in_archive(s: &Subject) -> Outcome {
    let hits = &s.archive.facts.secrets;
    if hits.is_empty() {
        return Outcome::Pass("No token, private key or credentials file was found.".into());
    }
    let described: Vec<String> = hits
        .iter()
        .map(|h| match h.line {
            0 => format!("{} ({})", slash_path(&h.path), h.kind),
            line => format!("{} line {line} ({})", slash_path(&h.path), h.kind),
        })
        .collect();
    let mut files: Vec<String> = hits.iter().map(|h| slash_path(&h.path)).collect();
    files.dedup();
    Outcome::fail(
        format!("The archive would publish what looks like secrets: {}.", described.join(", ")),
        "Revoke the secret now if it was ever committed or pushed, remove it from the file, and exclude files that hold credentials.",
    )
    .about(files)
}

pub fn compile_input_missing(s: &Subject) -> Outcome {
    let packaged: BTreeSet<&Path> = s.archive.files.iter().map(|f| f.path.as_path()).collect();
    let missing: Vec<_> = s
        .archive
        .facts
        .compile_inputs
        .iter()
        .filter(|i| i.resolved.as_deref().is_none_or(|p| !packaged.contains(p)))
        .collect();
    if missing.is_empty() {
        let n = s.archive.facts.compile_inputs.len();
        return Outcome::Pass(format!(
            "Every file the sources include at compile time is packaged ({}).",
            plural(n, "include")
        ));
    }
    let described: Vec<String> = missing
        .iter()
        .map(|i| {
            let target = match &i.resolved {
                Some(path) => format!("{} is not packaged", slash_path(path)),
                None => "it is outside the package".to_owned(),
            };
            format!("{}:{} {}: {target}", slash_path(&i.source), i.line, i.code)
        })
        .collect();
    let mut files: Vec<String> = missing.iter().map(|i| slash_path(&i.source)).collect();
    files.dedup();
    Outcome::fail(
        format!(
            "The packaged crate would not compile, so cargo publish fails to verify it: {}.",
            described.join("; ")
        ),
        "Package the file (include it, or stop excluding it), or move it inside the package if it lies outside.",
    )
    .about(files)
}

pub fn build_script_not_packaged(s: &Subject) -> Outcome {
    let build = s
        .member
        .package
        .targets
        .iter()
        .find(|t| t.kind.contains(&cargo_metadata::TargetKind::CustomBuild));
    let Some(build) = build else {
        return Outcome::Pass("The crate has no build script.".into());
    };
    let src = build.src_path.as_std_path();
    match src.strip_prefix(&s.member.root) {
        Ok(rel) if s.archive.files.iter().any(|f| f.path == rel) => {
            Outcome::Pass(format!("The build script {} is packaged.", slash_path(rel)))
        }
        Ok(rel) => Outcome::fail(
            format!(
                "The build script {} is not in the archive; cargo drops `package.build` and the published crate builds differently.",
                slash_path(rel)
            ),
            "Stop excluding the build script (or add it to include = [...]).",
        ),
        Err(_) => Outcome::fail(
            "The build script lies outside the package folder; cargo cannot package it.",
            "Move the build script into the package and point package.build at it.",
        ),
    }
}
