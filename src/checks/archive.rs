//! Checks on the packaged archive.

use std::collections::BTreeSet;
use std::path::Path;

use super::{Outcome, Subject};
use crate::base::format::{human_size, plural, slash_path};
use crate::package::MAX_CRATE_SIZE;
use crate::package::scan::{CompileInput, SecretHit};
use crate::package::upload::MAX_METADATA_SIZE;

/// A crate that reaches the checks was packaged and checked; one that did not gets its
/// failure from [`super::not_checked`].
pub fn checked(s: &Subject) -> Outcome {
    Outcome::Pass(format!("All {} files were listed and read.", s.archive.files.len()))
}

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

/// Where each finding is, with what it looks like (and why it looks like test data).
fn describe_secrets(hits: &[&SecretHit]) -> (Vec<String>, Vec<String>) {
    let described = hits
        .iter()
        .map(|h| {
            let what = match &h.test_data {
                Some(why) => format!("{}, {why}", h.kind),
                None => h.kind.clone(),
            };
            match h.line {
                0 => format!("{} ({what})", slash_path(&h.path)),
                line => format!("{} line {line} ({what})", slash_path(&h.path)),
            }
        })
        .collect();
    let mut files: Vec<String> = hits.iter().map(|h| slash_path(&h.path)).collect();
    files.dedup();
    (described, files)
}

pub fn secret_in_archive(s: &Subject) -> Outcome {
    let hits: Vec<&SecretHit> =
        s.archive.facts.secrets.iter().filter(|h| h.test_data.is_none()).collect();
    if hits.is_empty() {
        return Outcome::Pass(
            "No token, private key or credentials file was found outside test data.".into(),
        );
    }
    let (described, files) = describe_secrets(&hits);
    Outcome::fail(
        format!("The archive would publish what looks like secrets: {}.", described.join(", ")),
        "Revoke the secret now if it was ever committed or pushed, remove it from the file, and exclude files that hold credentials.",
    )
    .about(files)
}

/// Private keys in test data: published for everyone to read, but most likely made for the
/// tests and protecting nothing, so a warning that says so.
pub fn secret_in_test_data(s: &Subject) -> Outcome {
    let hits: Vec<&SecretHit> =
        s.archive.facts.secrets.iter().filter(|h| h.test_data.is_some()).collect();
    if hits.is_empty() {
        return Outcome::Pass("No private key was found in test data.".into());
    }
    let (described, files) = describe_secrets(&hits);
    Outcome::fail(
        format!(
            "The archive would publish private keys that look like test or example data: {}. Keys made for tests protect nothing, but everyone can read them.",
            described.join(", ")
        ),
        "Check that each key was generated for the tests or examples and is trusted nowhere else; revoke any that ever protected something. Leave the files out with exclude = [...] in [package] if the published crate does not need them.",
    )
    .about(files)
}

/// The compile inputs that are not packaged: those only a custom `cfg` reads
/// (`conditional`), or the others.
fn missing_inputs<'a>(s: &Subject<'a>, conditional: bool) -> Vec<&'a CompileInput> {
    let packaged: BTreeSet<&Path> = s.archive.files.iter().map(|f| f.path.as_path()).collect();
    s.archive
        .facts
        .compile_inputs
        .iter()
        .filter(|i| i.only_with.is_some() == conditional)
        .filter(|i| i.resolved.as_deref().is_none_or(|p| !packaged.contains(p)))
        .collect()
}

/// Each missing input as `file:line code: why`, and the files that name them.
fn describe_inputs(missing: &[&CompileInput]) -> (Vec<String>, Vec<String>) {
    let described = missing
        .iter()
        .map(|i| {
            let target = match &i.resolved {
                Some(path) => format!("{} is not packaged", slash_path(path)),
                None => "it is outside the package".to_owned(),
            };
            let condition = match &i.only_with {
                Some(cfg) => format!(" (under {cfg})"),
                None => String::new(),
            };
            format!("{}:{} {}: {target}{condition}", slash_path(&i.source), i.line, i.code)
        })
        .collect();
    let mut files: Vec<String> = missing.iter().map(|i| slash_path(&i.source)).collect();
    files.dedup();
    (described, files)
}

pub fn compile_input_missing(s: &Subject) -> Outcome {
    let missing = missing_inputs(s, false);
    if missing.is_empty() {
        let n = s.archive.facts.compile_inputs.iter().filter(|i| i.only_with.is_none()).count();
        return Outcome::Pass(format!(
            "Every file the sources include at compile time is packaged ({}).",
            plural(n, "include")
        ));
    }
    let (described, files) = describe_inputs(&missing);
    Outcome::fail(
        format!(
            "The packaged crate would not compile, so cargo publish fails to verify it: {}.",
            described.join("; ")
        ),
        "Package the file (include it, or stop excluding it), or move it inside the package if it lies outside.",
    )
    .about(files)
}

/// Files that only code the verification does not compile reads (under a custom `cfg` the
/// build script does not set, `not(…)` of one it sets, a feature `default` does not
/// enable): cargo publish verifies without them, but a build under that `cfg` fails.
pub fn compile_input_missing_under_cfg(s: &Subject) -> Outcome {
    let missing = missing_inputs(s, true);
    if missing.is_empty() {
        return Outcome::Pass(
            "Every file that code only some builds compile includes is packaged (or there is none)."
                .into(),
        );
    }
    let (described, files) = describe_inputs(&missing);
    Outcome::fail(
        format!(
            "The packaged crate does not compile in builds with these cfgs (cargo publish verifies without them): {}.",
            described.join("; ")
        ),
        "If users or docs.rs may build with the cfg (or the feature), package the file; if the code is for development only (benchmarks), this is expected, and you can allow this check.",
    )
    .about(files)
}

/// crates.io's limit on the unpacked size of an archive.
pub const MAX_UNPACKED_SIZE: u64 = 512 * 1024 * 1024;

pub fn unpacked_too_large(s: &Subject) -> Outcome {
    let size = s.archive.unpacked_size;
    if size <= MAX_UNPACKED_SIZE {
        return Outcome::Pass(format!(
            "The crate unpacks to {} (crates.io accepts up to 512 MiB).",
            human_size(size)
        ));
    }
    Outcome::fail(
        format!(
            "The crate unpacks to {} ({size} bytes); crates.io refuses archives that unpack to more than 512 MiB, however well they compress.",
            human_size(size)
        ),
        "Leave large generated or test data out with `exclude` in [package]; the largest files are listed below.",
    )
}

pub fn upload_metadata_too_large(s: &Subject) -> Outcome {
    let size = s.archive.upload_metadata_size;
    if s.readme.is_some_and(|r| r.size > crate::preview::readme::MAX_README) {
        return Outcome::Pass(
            "The README alone is over 1 MiB (see readme-too-large); the rest of the metadata is small.".into(),
        );
    }
    if size <= MAX_METADATA_SIZE {
        return Outcome::Pass(format!(
            "cargo sends {} of metadata (README included) with the archive; crates.io accepts up to 1 MiB.",
            human_size(size)
        ));
    }
    Outcome::fail(
        format!(
            "cargo would send {} of JSON metadata with the archive ({size} bytes), and crates.io refuses more than 1 MiB; the README's whole text is part of it.",
            human_size(size)
        ),
        "Shorten the README (move long sections to the documentation or the repository), or point `readme` at a shorter file.",
    )
}

/// The build script, relative to the package root (`Err` with its path when it lies
/// outside), and whether it is packaged. `None` without a build script.
fn build_script<'a>(s: &Subject<'a>) -> Option<Result<(&'a Path, bool), &'a Path>> {
    let build = s
        .member
        .package
        .targets
        .iter()
        .find(|t| t.kind.contains(&cargo_metadata::TargetKind::CustomBuild))?;
    let src = build.src_path.as_std_path();
    // `cargo metadata` joins `build = "../x.rs"` to the package root without resolving `..`.
    let inside = src
        .strip_prefix(&s.member.root)
        .ok()
        .filter(|rel| rel.components().all(|c| matches!(c, std::path::Component::Normal(_))));
    Some(match inside {
        Some(rel) => Ok((rel, s.archive.files.iter().any(|f| f.path == rel))),
        None => Err(src),
    })
}

/// A blocker only where cargo fails: a build script outside the package (cargo refuses to
/// package it), or one left out while the compiled sources read `OUT_DIR` (the published
/// crate no longer compiles, so `cargo publish`'s verification fails).
pub fn build_script_not_packaged(s: &Subject) -> Outcome {
    let (rel, packaged) = match build_script(s) {
        None => return Outcome::Pass("The crate has no build script.".into()),
        Some(Err(_)) => {
            return Outcome::fail(
                "The build script lies outside the package folder; cargo refuses to package the crate.",
                "Move the build script into the package and point package.build at it.",
            );
        }
        Some(Ok(script)) => script,
    };
    let uses = &s.archive.facts.out_dir_uses;
    if packaged {
        return Outcome::Pass(format!("The build script {} is packaged.", slash_path(rel)));
    }
    if uses.is_empty() {
        return Outcome::Pass(format!(
            "The build script {} is not packaged, but no compiled source reads OUT_DIR, so the crate still builds without it.",
            slash_path(rel)
        ));
    }
    let places: Vec<String> =
        uses.iter().map(|(file, line)| format!("{}:{line}", slash_path(file))).collect();
    let mut files: Vec<String> = uses.iter().map(|(file, _)| slash_path(file)).collect();
    files.dedup();
    Outcome::fail(
        format!(
            "The build script {} is not packaged, and the sources read env!(\"OUT_DIR\"), which only a build script sets ({}): the published crate does not compile, so cargo publish fails to verify it.",
            slash_path(rel),
            places.join(", ")
        ),
        "Package the build script: stop excluding it (or add it to include = [...]).",
    )
    .about(files)
}

/// cargo warns and publishes without a build script the archive leaves out: the published
/// crate then builds without it.
pub fn build_script_excluded(s: &Subject) -> Outcome {
    let rel = match build_script(s) {
        Some(Ok((rel, false))) => rel,
        Some(Ok((rel, true))) => {
            return Outcome::Pass(format!("The build script {} is packaged.", slash_path(rel)));
        }
        _ => return Outcome::Pass("No build script inside the package is left out.".into()),
    };
    let by = if s.member.include.is_some() {
        "`include` does not name it"
    } else if !s.member.exclude.is_empty() {
        "`exclude` leaves it out"
    } else {
        "git ignores it"
    };
    Outcome::fail(
        format!(
            "The build script {} is not in the archive ({by}): cargo warns \"ignoring `package.build` entry\", writes build = false into the published manifest, and the published crate builds without it.",
            slash_path(rel)
        ),
        "If the published crate needs the build script, package it; if it is for development only, this is what you want, and you can allow this check.",
    )
    .about(vec![slash_path(rel)])
}

pub fn build_fails(s: &Subject) -> Outcome {
    use crate::build::Verdict;
    match &s.build_outcome.build {
        Verdict::NotRun => Outcome::NotChecked(
            "run with --build to build the crate from its archive, as cargo publish does".into(),
        ),
        Verdict::NotTried(why) => Outcome::NotChecked(why.clone()),
        Verdict::Built => Outcome::Pass(
            "The crate builds from its packaged archive, as cargo publish will build it.".into(),
        ),
        Verdict::Failed(messages) => Outcome::fail(
            format!(
                "The crate does not build from its packaged archive, so cargo publish refuses to upload it:\n{}",
                messages.join("\n")
            ),
            "Build it as published with cargo package (the messages name files inside the archive): a file the build reads outside the package, or a feature only the workspace enables, are the usual causes.",
        ),
    }
}
