//! The sign-off file, `readiness-signoff.toml` at the workspace root: one `[[signoff]]`
//! table per approval, and each crate's status against it.
//!
//! ```toml
//! [[signoff]]
//! name = "my-crate"
//! version = "1.2.0"
//! fingerprint = "sha256:6f1c…"    # from the crate's page
//! reviewer = "Ada Lovelace"
//! date = 2026-11-24                # a TOML date
//! commit = "0a1b2c…"               # the commit that was reviewed (optional)
//! ```
//!
//! Unknown keys, a fingerprint or commit of the wrong form, a version that is not semver
//! and an empty reviewer are errors that name the file and line.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::error::Error;
use crate::base::paths::Confinement;

/// The file's name, at the workspace root.
pub const FILE: &str = crate::package::archive::SIGNOFF_FILE;

/// Sign-off files are small; a bigger one is refused rather than read.
const MAX_SIZE: u64 = 4 * 1024 * 1024;

/// One approval.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    pub version: String,
    pub fingerprint: String,
    pub reviewer: String,
    pub date: toml::value::Datetime,
    /// The commit that was reviewed, when known.
    #[serde(default)]
    pub commit: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileContent {
    #[serde(default)]
    signoff: Vec<toml::Spanned<Entry>>,
}

/// Every approval of the workspace, in file order (none when the file does not exist).
#[derive(Debug, Clone, Default)]
pub struct Signoffs {
    entries: Vec<Entry>,
}

/// A crate's standing against the sign-off file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Signed off for this version and fingerprint.
    Signed,
    /// Signed off for this version, but for another fingerprint: the content changed since.
    Stale,
    /// No sign-off for this version.
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Signed => "signed",
            Status::Stale => "stale",
            Status::Missing => "missing",
        }
    }
}

/// `crates[].signoff` of `report.json`: the status, and the approval it rests on (for a
/// stale crate, the latest approval of this version; none when missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignoffReport {
    pub status: Status,
    pub reviewer: Option<crate::base::shown::Shown>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The fingerprint that was approved.
    pub fingerprint: Option<String>,
    pub commit: Option<String>,
    /// Versions of this crate signed off before (for a missing sign-off), oldest first.
    pub other_versions: Vec<crate::base::shown::Shown>,
}

impl Signoffs {
    /// Reads `readiness-signoff.toml` at `workspace_root`, confined to the repository.
    pub fn load(workspace_root: &Path, confinement: &Confinement) -> Result<Signoffs, Error> {
        let path = workspace_root.join(FILE);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(Signoffs::default());
        }
        let real = confinement.regular_file(workspace_root, Path::new(FILE)).map_err(|why| {
            Error::Signoff { path: path.clone(), line: None, message: why.to_string() }
        })?;
        let size = std::fs::metadata(&real).map_err(|e| Error::io(&path, e))?.len();
        if size > MAX_SIZE {
            return Err(Error::Signoff {
                path,
                line: None,
                message: format!("{size} bytes; a sign-off file over 4 MiB is not read"),
            });
        }
        let bytes =
            crate::base::paths::read_bounded(&real, MAX_SIZE).map_err(|e| Error::io(&path, e))?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Signoff {
            path: path.clone(),
            line: None,
            message: "not UTF-8".into(),
        })?;
        Signoffs::parse(&text, &path)
    }

    /// Parses the file's text; errors name `path` and the line.
    pub fn parse(text: &str, path: &Path) -> Result<Signoffs, Error> {
        let error = |span: Option<std::ops::Range<usize>>, message: String| Error::Signoff {
            path: path.to_path_buf(),
            line: span.map(|s| line_of(text, s.start)),
            message: crate::base::error::one_line(&message),
        };
        let content: FileContent =
            toml::from_str(text).map_err(|e| error(e.span(), e.message().to_owned()))?;
        let mut entries = Vec::with_capacity(content.signoff.len());
        for spanned in content.signoff {
            let span = spanned.span();
            let entry = spanned.into_inner();
            entry.validate().map_err(|message| error(Some(span.clone()), message))?;
            entries.push(entry);
        }
        Ok(Signoffs { entries })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every sign-off of `name` at `version` (build metadata aside), in file order.
    pub fn of_version<'s>(
        &'s self,
        name: &'s str,
        version: &'s str,
    ) -> impl DoubleEndedIterator<Item = &'s Entry> {
        self.entries.iter().filter(move |e| e.name == name && same_version(&e.version, version))
    }

    /// The crate's status for `version` and `fingerprint`.
    pub fn status(&self, name: &str, version: &str, fingerprint: &str) -> SignoffReport {
        let (status, entry) =
            match self.of_version(name, version).find(|e| e.fingerprint == fingerprint) {
                Some(entry) => (Status::Signed, Some(entry)),
                None => match self.of_version(name, version).next_back() {
                    Some(entry) => (Status::Stale, Some(entry)),
                    None => (Status::Missing, None),
                },
            };
        let mut other_versions: Vec<String> = match status {
            Status::Missing => {
                self.entries.iter().filter(|e| e.name == name).map(|e| e.version.clone()).collect()
            }
            _ => Vec::new(),
        };
        other_versions.sort_by(|a, b| compare_versions(a, b));
        other_versions.dedup();
        SignoffReport {
            status,
            reviewer: entry.map(|e| crate::base::shown::Shown::new(&e.reviewer)),
            date: entry.map(|e| e.date.to_string()),
            fingerprint: entry.map(|e| e.fingerprint.clone()),
            commit: entry.and_then(|e| e.commit.clone()),
            other_versions: other_versions.iter().map(crate::base::shown::Shown::new).collect(),
        }
    }
}

impl Entry {
    fn validate(&self) -> Result<(), String> {
        let name = &self.name;
        if name.is_empty() {
            return Err("`name` is empty".into());
        }
        semver::Version::parse(&self.version).map_err(|e| {
            format!("{name}: `version` {:?} is not a semver version: {e}", self.version)
        })?;
        let hex = |s: &str, lengths: &[usize]| {
            lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
        };
        if !self.fingerprint.strip_prefix("sha256:").is_some_and(|h| hex(h, &[64])) {
            return Err(format!(
                "{name}: `fingerprint` must be `sha256:` and 64 hex digits, as the crate's page shows it"
            ));
        }
        if self.reviewer.trim().is_empty() {
            return Err(format!("{name}: `reviewer` is empty; write who reviewed the release"));
        }
        if self.date.date.is_none() || self.date.time.is_some() {
            return Err(format!(
                "{name}: `date` must be a TOML date such as 2026-11-24 (no quotes, no time)"
            ));
        }
        if let Some(commit) = &self.commit
            && !hex(commit, &[40, 64])
        {
            return Err(format!("{name}: `commit` must be a full commit id (40 hex digits)"));
        }
        Ok(())
    }
}

/// Versions compare as crates.io compares them: build metadata ignored.
fn same_version(a: &str, b: &str) -> bool {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp_precedence(&b).is_eq(),
        _ => a == b,
    }
}

fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The `[[signoff]]` table to paste, filled in but for the reviewer's name. `head` is the
/// commit the report was made from, with its date: a report of the same commit shows the
/// same table on every machine.
pub fn table(name: &str, version: &str, fingerprint: &str, head: Option<&Head>) -> String {
    let string = |text: &str| toml::Value::from(text).to_string();
    let mut text = format!(
        "[[signoff]]\nname = {}\nversion = {}\nfingerprint = {}\nreviewer = \"\"\n",
        string(name),
        string(version),
        string(fingerprint)
    );
    match head {
        Some(head) => {
            text.push_str(&format!("date = {}\ncommit = \"{}\"\n", head.date, head.commit));
        }
        None => text.push_str("date = YYYY-MM-DD  # the day of the review\n"),
    }
    text
}

/// The commit a checkout is at, and its date (the committer's, in the committer's zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub commit: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// `HEAD` of the git repository whose work tree is `repository`, when it is a commit.
pub fn head(repository: &Path) -> Option<Head> {
    let repo = gix::open(repository).ok()?;
    let commit = repo.head_commit().ok()?;
    let date = commit.time().ok()?.format(gix::date::time::format::SHORT).ok()?;
    Some(Head { commit: commit.id.to_string(), date })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    fn parse(text: &str) -> Result<Signoffs, String> {
        Signoffs::parse(text, Path::new("readiness-signoff.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn statuses() {
        let text = format!(
            "[[signoff]]\nname = \"a\"\nversion = \"1.0.0\"\nfingerprint = \"{FP}\"\nreviewer = \"Ada\"\ndate = 2026-11-24\n"
        );
        let signoffs = parse(&text).unwrap();
        let signed = signoffs.status("a", "1.0.0+build", FP);
        assert_eq!(signed.status, Status::Signed);
        assert_eq!(signed.reviewer.as_deref(), Some("Ada"));
        assert_eq!(signed.date.as_deref(), Some("2026-11-24"));
        let other = FP.replace('1', "2");
        assert_eq!(signoffs.status("a", "1.0.0", &other).status, Status::Stale);
        let missing = signoffs.status("a", "1.1.0", FP);
        assert_eq!(missing.status, Status::Missing);
        assert_eq!(missing.other_versions, ["1.0.0"]);
        assert_eq!(signoffs.status("b", "1.0.0", FP).status, Status::Missing);
    }

    #[test]
    fn errors_name_the_line() {
        let unknown = format!(
            "\n[[signoff]]\nname = \"a\"\nversion = \"1.0.0\"\nfingerprint = \"{FP}\"\nreviewer = \"Ada\"\ndate = 2026-11-24\nsigned = true\n"
        );
        let message = parse(&unknown).unwrap_err();
        assert!(message.starts_with("readiness-signoff.toml:"), "{message}");
        assert!(message.contains("unknown field `signed`"), "{message}");
        let bad = "[[signoff]]\nname = \"a\"\nversion = \"1\"\nfingerprint = \"x\"\nreviewer = \"\"\ndate = 2026-11-24\n";
        let message = parse(bad).unwrap_err();
        assert!(message.starts_with("readiness-signoff.toml:1: a: `version`"), "{message}");
        assert!(!message.contains('\n'));
        let quoted = format!(
            "[[signoff]]\nname = \"a\"\nversion = \"1.0.0\"\nfingerprint = \"{FP}\"\nreviewer = \"Ada\"\ndate = \"2026-11-24\"\n"
        );
        assert!(parse(&quoted).unwrap_err().contains("readiness-signoff.toml:6:"));
        assert!(parse("[[signoff]\n").unwrap_err().starts_with("readiness-signoff.toml:1:"));
    }

    #[test]
    fn the_table_to_paste_parses_once_a_reviewer_is_named() {
        let head = Head { commit: "a".repeat(40), date: "2026-11-24".into() };
        let table = table("a\"b", "1.0.0", FP, Some(&head));
        let filled = table.replace("reviewer = \"\"", "reviewer = \"Ada\"");
        let signoffs = parse(&filled).unwrap();
        assert_eq!(signoffs.status("a\"b", "1.0.0", FP).status, Status::Signed);
        assert!(parse(&table).unwrap_err().contains("`reviewer` is empty"));
    }
}
