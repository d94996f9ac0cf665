//! Checks on the names and kinds of the packaged files: names cargo refuses, names Windows
//! cannot hold, and files that look like junk in a release.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Outcome, Subject};
use crate::base::format::{human_size, plural, slash_path};
use crate::package::{ArchiveFile, Origin};

/// Characters cargo refuses in a packaged file's name.
const REFUSED_CHARS: &[char] = &['/', '\\', '<', '>', ':', '"', '|', '?', '*'];

pub fn file_name_invalid(s: &Subject) -> Outcome {
    let bad: Vec<String> = s
        .archive
        .files
        .iter()
        .filter(|f| f.origin != Origin::Generated)
        .filter(|f| {
            f.path.components().any(|c| match c.as_os_str().to_str() {
                Some(name) => name.contains(REFUSED_CHARS),
                None => true,
            })
        })
        .map(|f| slash_path(&f.path))
        .collect();
    let generated_names: Vec<String> = s.archive.refused.iter().map(|p| slash_path(p)).collect();
    if bad.is_empty() && generated_names.is_empty() {
        return Outcome::Pass("Every file name is UTF-8 without characters cargo refuses.".into());
    }
    let mut problems = Vec::new();
    if !bad.is_empty() {
        problems
            .push(format!("names must be UTF-8 without / \\ < > : \" | ? *: {}", bad.join(", ")));
    }
    if !generated_names.is_empty() {
        problems.push(format!(
            "cargo writes files of these names itself: {}",
            generated_names.join(", ")
        ));
    }
    Outcome::fail(
        format!(
            "cargo package refuses {}: {}.",
            plural(bad.len() + generated_names.len(), "file"),
            problems.join("; ")
        ),
        "Rename the files, or leave them out with exclude = [...] in [package].",
    )
    .about(bad)
}

/// Windows device names: a path component whose part before the first `.` is one of these
/// (any case) cannot be unpacked on Windows.
fn is_windows_reserved(component: &str) -> bool {
    let stem = component.split('.').next().unwrap_or(component).to_ascii_lowercase();
    matches!(stem.as_str(), "con" | "prn" | "aux" | "nul")
        || (stem.len() == 4
            && (stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0')
}

pub fn file_name_reserved(s: &Subject) -> Outcome {
    let bad: Vec<String> = s
        .archive
        .files
        .iter()
        .filter(|f| {
            f.path.components().any(|c| c.as_os_str().to_str().is_some_and(is_windows_reserved))
        })
        .map(|f| slash_path(&f.path))
        .collect();
    if bad.is_empty() {
        return Outcome::Pass("No file name is reserved on Windows.".into());
    }
    Outcome::fail(
        format!(
            "{} cannot be unpacked on Windows (reserved device names): {}.",
            plural(bad.len(), "file"),
            bad.join(", ")
        ),
        "Rename them (e.g. aux.rs → auxiliary.rs), or exclude them.",
    )
    .about(bad)
}

pub fn file_name_case_collision(s: &Subject) -> Outcome {
    let mut by_folded: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &s.archive.files {
        let path = slash_path(&file.path);
        by_folded.entry(path.to_lowercase()).or_default().push(path);
    }
    let collisions: Vec<Vec<String>> =
        by_folded.into_values().filter(|paths| paths.len() > 1).collect();
    if collisions.is_empty() {
        return Outcome::Pass("No two paths differ only by case.".into());
    }
    let described: Vec<String> = collisions.iter().map(|paths| paths.join(" and ")).collect();
    Outcome::fail(
        format!(
            "Paths that differ only by case overwrite each other on macOS and Windows: {}.",
            described.join("; ")
        ),
        "Rename one of each pair, or exclude it.",
    )
    .about(collisions.into_iter().flatten().collect())
}

/// Why a path looks like junk in a release, and the `exclude` pattern that drops it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Junk {
    pub what: &'static str,
    pub exclude: String,
}

const JUNK_DIRS: &[(&str, &str)] = &[
    ("fixtures", "test data"),
    ("testdata", "test data"),
    ("test-data", "test data"),
    ("test_data", "test data"),
    ("test-fixtures", "test data"),
    (".github", "CI configuration"),
    (".circleci", "CI configuration"),
    (".gitlab", "CI configuration"),
    (".idea", "editor settings"),
    (".vscode", "editor settings"),
    (".fleet", "editor settings"),
    ("node_modules", "generated output"),
    ("coverage", "generated output"),
    ("htmlcov", "generated output"),
    ("target", "build output"),
    ("_site", "documentation site"),
];

const JUNK_NAMES: &[(&str, &str)] = &[
    (".DS_Store", "OS file"),
    ("Thumbs.db", "OS file"),
    ("desktop.ini", "OS file"),
    (".travis.yml", "CI configuration"),
    (".gitlab-ci.yml", "CI configuration"),
    ("appveyor.yml", "CI configuration"),
    (".appveyor.yml", "CI configuration"),
    ("azure-pipelines.yml", "CI configuration"),
    (".cirrus.yml", "CI configuration"),
    ("codecov.yml", "CI configuration"),
    (".codecov.yml", "CI configuration"),
    ("lcov.info", "generated output"),
];

const JUNK_SUFFIXES: &[(&str, &str)] = &[
    ("~", "editor backup"),
    (".swp", "editor swap file"),
    (".swo", "editor swap file"),
    (".orig", "merge leftover"),
    (".rej", "merge leftover"),
    (".bak", "backup"),
    (".tmp", "temporary file"),
    (".log", "log file"),
    (".profraw", "generated output"),
    (".profdata", "generated output"),
];

const BINARY_EXTENSIONS: &[&str] = &[
    "zip", "tar", "gz", "tgz", "xz", "bz2", "7z", "rar", "zst", "crate", "jar", "exe", "dll", "so",
    "dylib", "a", "lib", "o", "obj", "pdb", "rlib", "rmeta", "wasm", "class", "pyc", "dmg", "iso",
    "deb", "rpm", "msi",
];

/// Classifies one packaged path (relative to the package root).
pub fn classify(path: &Path) -> Option<Junk> {
    let parts: Vec<String> =
        path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let (name, dirs) = parts.split_last()?;
    for (depth, dir) in dirs.iter().enumerate() {
        if let Some((_, what)) = JUNK_DIRS.iter().find(|(d, _)| d == dir) {
            return Some(Junk { what, exclude: format!("/{}/", parts[..=depth].join("/")) });
        }
        if dir == "book"
            && [".html", ".js", ".css", ".woff", ".woff2"].iter().any(|e| name.ends_with(e))
        {
            return Some(Junk {
                what: "documentation site",
                exclude: format!("/{}/", parts[..=depth].join("/")),
            });
        }
    }
    if let Some((_, what)) = JUNK_NAMES.iter().find(|(n, _)| n == name) {
        return Some(Junk { what, exclude: (*name).to_owned() });
    }
    if name != "Cargo.toml.orig"
        && let Some((suffix, what)) = JUNK_SUFFIXES.iter().find(|(s, _)| name.ends_with(s))
    {
        return Some(Junk { what, exclude: format!("*{suffix}") });
    }
    let extension = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    BINARY_EXTENSIONS
        .contains(&extension.as_str())
        .then(|| Junk { what: "archive or binary", exclude: format!("/{}", parts.join("/")) })
}

/// Files the crate's sources need at build time are never junk.
fn needed(s: &Subject, file: &ArchiveFile) -> bool {
    s.archive
        .facts
        .compile_inputs
        .iter()
        .any(|i| i.resolved.as_deref() == Some(file.path.as_path()))
        || s.member.package.readme.as_ref().is_some_and(|r| r.as_std_path() == file.path)
        || s.member.package.license_file.as_ref().is_some_and(|l| l.as_std_path() == file.path)
}

/// `exclude = ["a", "b"]` for a help text.
fn exclude_line(patterns: &[String]) -> String {
    let quoted: Vec<String> = patterns.iter().map(|p| format!("\"{p}\"")).collect();
    format!("exclude = [{}]", quoted.join(", "))
}

pub fn junk_file(s: &Subject) -> Outcome {
    // pattern → (what, files, compressed bytes saved)
    let mut groups: BTreeMap<String, (&'static str, Vec<String>, u64)> = BTreeMap::new();
    for file in s.archive.files.iter().filter(|f| f.origin == Origin::Disk) {
        let Some(junk) = classify(&file.path) else {
            continue;
        };
        if needed(s, file) {
            continue;
        }
        let saved = s.deflated.of(file);
        let entry = groups.entry(junk.exclude).or_insert((junk.what, Vec::new(), 0));
        entry.1.push(slash_path(&file.path));
        entry.2 += saved + 512; // each entry also costs a tar header
    }
    if groups.is_empty() {
        return Outcome::Pass(
            "Nothing looks like test data, build output, editor or CI files.".into(),
        );
    }
    let total: u64 = groups.values().map(|g| g.2).sum();
    let described: Vec<String> = groups
        .iter()
        .map(|(pattern, (what, files, saved))| {
            format!("{pattern} ({what}, {}, ~{})", plural(files.len(), "file"), human_size(*saved))
        })
        .collect();
    let patterns: Vec<String> = groups.keys().cloned().collect();
    Outcome::fail(
        format!(
            "{} look like junk in a release, about {} of the compressed crate: {}.",
            plural(groups.values().map(|g| g.1.len()).sum(), "file"),
            human_size(total),
            described.join("; ")
        ),
        format!("Add to [package] (merge with an existing exclude): {}", exclude_line(&patterns)),
    )
    .about(groups.into_values().flat_map(|g| g.1).collect())
}

pub fn large_file(s: &Subject) -> Outcome {
    let large: Vec<&ArchiveFile> = s
        .archive
        .files
        .iter()
        .filter(|f| f.origin != Origin::Generated && f.size > s.limits.large_file && !needed(s, f))
        .collect();
    if large.is_empty() {
        return Outcome::Pass(format!(
            "No packaged file is over {}.",
            human_size(s.limits.large_file)
        ));
    }
    let described: Vec<String> =
        large.iter().map(|f| format!("{} ({})", slash_path(&f.path), human_size(f.size))).collect();
    let patterns: Vec<String> = large.iter().map(|f| format!("/{}", slash_path(&f.path))).collect();
    Outcome::fail(
        format!(
            "{} over {} that the sources do not include: {}.",
            plural(large.len(), "file"),
            human_size(s.limits.large_file),
            described.join(", ")
        ),
        format!("If the crate does not need them, add to [package]: {}", exclude_line(&patterns)),
    )
    .about(large.iter().map(|f| slash_path(&f.path)).collect())
}

pub fn file_unreadable(s: &Subject) -> Outcome {
    let unreadable = &s.archive.unreadable;
    if unreadable.is_empty() {
        return Outcome::Pass("Every listed file can be read.".into());
    }
    let described: Vec<String> =
        unreadable.iter().map(|(path, why)| format!("{} ({why})", slash_path(path))).collect();
    Outcome::fail(
        format!("cargo package lists files it then fails to archive: {}.", described.join("; ")),
        "Fix or remove broken symbolic links and unreadable files, or exclude them.",
    )
    .about(unreadable.iter().map(|(path, _)| slash_path(path)).collect())
}

pub fn path_outside_repository(s: &Subject) -> Outcome {
    let outside = &s.archive.outside;
    if outside.is_empty() {
        return Outcome::Pass(
            "Every packaged file lies inside the repository, outside .git/.".into(),
        );
    }
    let described: Vec<String> =
        outside.iter().map(|(path, why)| format!("{} {why}", slash_path(path))).collect();
    Outcome::fail(
        format!(
            "Packaged paths lead outside the repository or into .git/: {}. cargo would publish whatever they hold on the machine that runs cargo publish.",
            described.join("; ")
        ),
        "Point readme and license-file at files inside the repository, and replace symbolic links that leave it with the files themselves.",
    )
    .about(outside.iter().map(|(path, _)| slash_path(path)).collect())
}

pub fn dirty_files(s: &Subject) -> Outcome {
    let dirty: Vec<String> = s.archive.dirty.iter().map(|p| slash_path(p)).collect();
    if dirty.is_empty() {
        return Outcome::Pass(
            "Every packaged file is as committed (or the crate is not in git).".into(),
        );
    }
    Outcome::fail(
        format!(
            "{} would be published as they are on disk, not as committed: {}.",
            plural(dirty.len(), "file"),
            dirty.join(", ")
        ),
        "Commit (or discard) the changes first, so the release matches a commit you can tag.",
    )
    .about(dirty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_reserved_names() {
        for name in ["con", "CON.txt", "aux.rs", "nul", "com1", "LPT9.log", "prn.tar.gz"] {
            assert!(is_windows_reserved(name), "{name}");
        }
        for name in ["console.rs", "auxiliary", "com0", "com10", "lpt", "con_"] {
            assert!(!is_windows_reserved(name), "{name}");
        }
    }

    #[test]
    fn junk_is_classified_with_its_exclude_line() {
        let junk = |p: &str| classify(Path::new(p)).map(|j| j.exclude);
        assert_eq!(junk("tests/fixtures/a/b.json"), Some("/tests/fixtures/".into()));
        assert_eq!(junk(".github/workflows/ci.yml"), Some("/.github/".into()));
        assert_eq!(junk("src/.DS_Store"), Some(".DS_Store".into()));
        assert_eq!(junk("src/lib.rs~"), Some("*~".into()));
        assert_eq!(junk("assets/data.zip"), Some("/assets/data.zip".into()));
        assert_eq!(junk("book/index.html"), Some("/book/".into()));
        assert_eq!(junk("src/lib.rs"), None);
        assert_eq!(junk("Cargo.toml.orig"), None);
        assert_eq!(junk("book/src/chapter.md"), None);
        assert_eq!(junk("tests/it.rs"), None);
    }
}
