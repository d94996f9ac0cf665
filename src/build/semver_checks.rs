//! The user's installed `cargo-semver-checks`, run on two rustdoc JSON files (see `api.rs`),
//! and what it printed read into [`Change`]s.
//!
//! The program is the user's own: found on `PATH` (absolute entries only, none inside the
//! checkout), never one the checkout names. It runs from a neutral folder with `HOME` and
//! its cache folder in the tool's cache; given two JSON files it runs no cargo and reads no
//! manifest. Its lints at their default levels decide: a `failure` (denied) is a change
//! semver requires a bump for, a `warning` one it suggests. Run with the sides swapped, the
//! lints that find an item missing tell what this side added (a minor change).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;

use crate::base::shown::Shown;
use crate::package::diff::compat::{Change, Level};

/// Why the API is not compared when the tool is missing.
pub const NOT_INSTALLED: &str =
    "cargo-semver-checks not installed (cargo install cargo-semver-checks --locked)";

/// `cargo-semver-checks`' exit code when it ran and a lint denied the release.
const LINTS_FAILED: i32 = 100;

/// An installed `cargo-semver-checks`.
#[derive(Debug, Clone)]
pub struct SemverChecks {
    program: PathBuf,
    /// e.g. `cargo-semver-checks 0.51.0`.
    pub version: String,
}

impl SemverChecks {
    /// The `cargo-semver-checks` on `PATH`, skipping relative entries and any inside
    /// `checkout`; `Err` (why) when there is none that answers `--version`.
    pub fn find(checkout: &Path) -> Result<SemverChecks, String> {
        let checkout = std::fs::canonicalize(checkout).unwrap_or_else(|_| checkout.to_path_buf());
        let name = format!("cargo-semver-checks{}", std::env::consts::EXE_SUFFIX);
        let path = std::env::var_os("PATH").unwrap_or_default();
        let program = std::env::split_paths(&path)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(&name))
            .filter(|p| p.is_file())
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .find(|p| !p.starts_with(&checkout))
            .ok_or(NOT_INSTALLED)?;
        let neutral = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
        let output = Command::new(&program)
            .args(["semver-checks", "--version"])
            .current_dir(neutral.path())
            .output()
            .map_err(|e| format!("cargo-semver-checks could not be run: {e}"))?;
        let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        match output.status.success() && version.starts_with("cargo-semver-checks") {
            true => Ok(SemverChecks { program, version }),
            false => Err("cargo-semver-checks did not say its version".into()),
        }
    }

    /// The changes from the API in `baseline` (rustdoc JSON) to the one in `current`, the
    /// paths in what the tool says shown through `strip`.
    pub fn compare(
        &self,
        baseline: &[u8],
        current: &[u8],
        home: &Path,
        strip: &dyn Fn(&str) -> String,
    ) -> Result<Vec<Change>, String> {
        let neutral = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
        let (then, now) =
            (neutral.path().join("baseline.json"), neutral.path().join("current.json"));
        std::fs::write(&then, baseline)
            .and_then(|()| std::fs::write(&now, current))
            .map_err(|e| format!("the rustdoc JSON could not be written: {e}"))?;
        let mut changes = self.run(&then, &now, neutral.path(), home, strip)?;
        // Swapped: what is missing from the earlier side is what this one added.
        let added = self.run(&now, &then, neutral.path(), home, strip)?;
        // An addition the first run reported already (a variant added to an exhaustive
        // enum) is the same item at the same place.
        let known: Vec<(Shown, String)> =
            changes.iter().map(|c| (c.location.clone(), last_name(&c.item))).collect();
        changes.extend(
            added
                .into_iter()
                .filter(|c| c.id.ends_with("_missing"))
                .filter(|c| !known.contains(&(c.location.clone(), last_name(&c.item))))
                .map(|c| Change {
                    id: "item-added".into(),
                    level: Level::Minor,
                    required: false,
                    summary: Shown::new("added"),
                    docs: "https://doc.rust-lang.org/cargo/reference/semver.html#item-new".into(),
                    ..c
                }),
        );
        // Breaking first, then by lint and item: the same input, the same order.
        changes.sort_by(|a, b| {
            (b.level, &a.id, &a.item, &a.location).cmp(&(a.level, &b.id, &b.item, &b.location))
        });
        Ok(changes)
    }

    fn run(
        &self,
        baseline: &Path,
        current: &Path,
        neutral: &Path,
        home: &Path,
        strip: &dyn Fn(&str) -> String,
    ) -> Result<Vec<Change>, String> {
        let output = Command::new(&self.program)
            .args(["semver-checks", "check-release", "--color", "never", "--verbose"])
            .arg("--baseline-rustdoc")
            .arg(baseline)
            .arg("--current-rustdoc")
            .arg(current)
            .current_dir(neutral)
            .env("HOME", home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .map_err(|e| format!("cargo-semver-checks could not be run: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            Some(0 | LINTS_FAILED) => Ok(parse(&stdout, &stderr, strip)),
            _ => {
                let said: Vec<&str> =
                    stderr.lines().filter(|l| !l.trim().is_empty()).take(4).collect();
                let said = crate::base::secrets::redact(&strip(&said.join(" "))).into_owned();
                Err(format!("cargo-semver-checks failed: {said}"))
            }
        }
    }
}

/// The last name of an item's path: `C` of `variant Mode:C` and of `variant Mode::C`.
fn last_name(item: &str) -> String {
    let name = item.rsplit(|c: char| !(c.is_alphanumeric() || c == '_')).next();
    name.unwrap_or_default().to_owned()
}

/// A lint's heading on standard output: `--- failure function_missing: pub fn removed or
/// renamed ---`.
static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^--- (failure|warning) ([A-Za-z0-9_]+): (.*) ---$").expect("valid")
});

/// A lint's line on standard error with `--verbose`: `FAIL [ 0.001s] major function_missing`.
static LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:FAIL|WARN)\s+\[\s*[0-9.]+s\]\s+(major|minor)\s+([A-Za-z0-9_]+)\s*$")
        .expect("valid")
});

/// One result: `function demo::parse, previously in file src/lib.rs:3`.
static RESULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?),? (?:previously )?in(?: file)? (\S+:\d+)$").expect("valid")
});

/// The changes `cargo-semver-checks` reported, one per result of each lint that fired.
fn parse(stdout: &str, stderr: &str, strip: &dyn Fn(&str) -> String) -> Vec<Change> {
    let levels: std::collections::BTreeMap<&str, Level> = stderr
        .lines()
        .filter_map(|line| LEVEL.captures(line))
        .map(|c| {
            let level = if &c[1] == "major" { Level::Major } else { Level::Minor };
            (c.get(2).map_or("", |m| m.as_str()), level)
        })
        .collect();
    let mut changes = Vec::new();
    let mut lint: Option<(String, bool, String)> = None;
    let mut docs = String::new();
    let mut results = false;
    for line in stdout.lines() {
        if let Some(heading) = HEADING.captures(line) {
            lint = Some((heading[2].to_owned(), &heading[1] == "failure", heading[3].to_owned()));
            (docs, results) = (String::new(), false);
            continue;
        }
        let Some((id, required, name)) = &lint else { continue };
        let trimmed = line.trim();
        if let Some(link) = trimmed.strip_prefix("ref:") {
            docs = link.trim().to_owned();
        } else if trimmed == "Failed in:" {
            results = true;
        } else if results && line.starts_with("  ") && !trimmed.is_empty() {
            let text = strip(trimmed);
            let (item, location) = match RESULT.captures(&text) {
                Some(c) => (c[1].to_owned(), c[2].to_owned()),
                None => (text.clone(), String::new()),
            };
            changes.push(Change {
                id: id.clone(),
                level: levels.get(id.as_str()).copied().unwrap_or(Level::Major),
                required: *required,
                item: Shown::new(item),
                location: Shown::new(location),
                summary: Shown::new(name),
                docs: if docs.starts_with("https://") { docs.clone() } else { String::new() },
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What cargo-semver-checks 0.51 prints for a removed function, an added variant of an
    /// exhaustive enum and a newly deprecated function (a minor lint), with `--verbose`.
    const STDOUT: &str = "
--- failure enum_variant_added: enum variant added on exhaustive enum ---

Description:
A publicly-visible enum without #[non_exhaustive] has a new variant.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#enum-variant-new
       impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/enum_variant_added.ron

Failed in:
  variant Mode:C in /cache/sources/demo-1.5.0/src/lib.rs:1

--- failure function_missing: pub fn removed or renamed ---

Description:
A publicly-visible function cannot be imported by its prior path.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#item-remove
       impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/function_missing.ron

Failed in:
  function demo::parse, previously in file src/lib.rs:2
  function demo::other, previously in file src/lib.rs:3

--- warning function_marked_deprecated: function #[deprecated] added ---

Description:
A function is now #[deprecated].
       impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/function_marked_deprecated.ron

Failed in:
  function demo::old in src/lib.rs:4
";

    const STDERR: &str = "     Parsing demo v1.5.0 (current)
        PASS [   0.001s]       major        auto_trait_impl_removed
        FAIL [   0.002s]       major        enum_variant_added
        FAIL [   0.001s]       major        function_missing
        WARN [   0.001s]       minor        function_marked_deprecated
     Summary semver requires new major version: 2 major and 0 minor checks failed
";

    #[test]
    fn each_result_of_each_lint_is_a_change() {
        let strip = |text: &str| text.replace("/cache/sources/demo-1.5.0/", "");
        let found: Vec<(String, Level, bool, String, String)> = parse(STDOUT, STDERR, &strip)
            .into_iter()
            .map(|c| (c.id, c.level, c.required, c.item.to_string(), c.location.to_string()))
            .collect();
        let change = |id: &str, level, required, item: &str, at: &str| {
            (id.to_owned(), level, required, item.to_owned(), at.to_owned())
        };
        assert_eq!(
            found,
            [
                change("enum_variant_added", Level::Major, true, "variant Mode:C", "src/lib.rs:1"),
                change(
                    "function_missing",
                    Level::Major,
                    true,
                    "function demo::parse",
                    "src/lib.rs:2"
                ),
                change(
                    "function_missing",
                    Level::Major,
                    true,
                    "function demo::other",
                    "src/lib.rs:3"
                ),
                change(
                    "function_marked_deprecated",
                    Level::Minor,
                    false,
                    "function demo::old",
                    "src/lib.rs:4"
                ),
            ]
        );
        let docs: Vec<String> = parse(STDOUT, STDERR, &strip).into_iter().map(|c| c.docs).collect();
        assert_eq!(docs[1], "https://doc.rust-lang.org/cargo/reference/semver.html#item-remove");
        assert_eq!(docs[3], "", "no reference link, none made up");
        assert_eq!(parse("", "", &strip), []);
    }
}
