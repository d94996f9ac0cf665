//! The sign-off file, `readiness-signoff.toml` at the workspace root: one `[[signoff]]`
//! table per approval, and each crate's standing against it ([`standing`]).
//!
//! ```toml
//! [[signoff]]
//! name = "my-crate"
//! version = "1.2.0"
//! fingerprint = "sha256:6f1c…"    # from the crate's page
//! reviewer = "ada@example.com"     # the principal of the allowed-signers file
//! date = 2026-11-24                # a TOML date
//! commit = "0a1b2c…"               # the commit that was reviewed (optional unless signed)
//! signature = """
//! -----BEGIN SSH SIGNATURE-----
//! …
//! -----END SSH SIGNATURE-----
//! """                              # written by `cargo readiness sign`
//! ```
//!
//! Unknown keys, a fingerprint or commit of the wrong form, a version that is not semver,
//! an empty reviewer, and for a signed row a signature that is no SSH signature or a field
//! its [`statement`] cannot hold, are errors that name the file and line. Whether a
//! signature counts is decided against allowed signers from outside the change
//! ([`allowed`], [`trust`]).

pub mod allowed;
pub mod standing;
pub mod statement;
pub mod trust;

use std::path::Path;

use serde::Deserialize;
use ssh_key::SshSig;

use crate::base::error::Error;
use crate::base::paths::Confinement;

/// The file's name, at the workspace root.
pub const FILE: &str = crate::package::archive::SIGNOFF_FILE;

/// Sign-off files are small; a bigger one is refused rather than read.
pub const MAX_SIZE: u64 = 4 * 1024 * 1024;

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
    /// The armored SSH signature of the row's [`statement`].
    #[serde(default)]
    pub signature: Option<toml::Spanned<String>>,
}

/// A row as read: its fields, and for a signed row the signature and the statement it
/// must cover.
#[derive(Debug, Clone)]
pub struct Row {
    pub entry: Entry,
    pub signed: Option<Signed>,
}

#[derive(Debug, Clone)]
pub struct Signed {
    pub signature: SshSig,
    pub statement: String,
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
    rows: Vec<Row>,
}

pub use standing::{SignoffReport, Status};

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
        let mut rows = Vec::with_capacity(content.signoff.len());
        for spanned in content.signoff {
            let span = spanned.span();
            let entry = spanned.into_inner();
            entry.validate().map_err(|message| error(Some(span.clone()), message))?;
            let signed = match &entry.signature {
                None => None,
                Some(signature) => Some(entry.signed(signature.get_ref()).map_err(|message| {
                    error(Some(signature.span()), format!("{}: {message}", entry.name))
                })?),
            };
            rows.push(Row { entry, signed });
        }
        Ok(Signoffs { rows })
    }

    /// Every row, in file order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Every sign-off of `name` at `version` (build metadata aside), in file order.
    pub fn of_version<'s>(
        &'s self,
        name: &'s str,
        version: &'s str,
    ) -> impl Iterator<Item = &'s Row> {
        self.rows
            .iter()
            .filter(move |row| row.entry.name == name && same_version(&row.entry.version, version))
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

    /// The signature parsed, and the statement it must cover.
    fn signed(&self, armored: &str) -> Result<Signed, String> {
        let signature = SshSig::from_pem(armored.trim()).map_err(|e| {
            format!(
                "`signature` is not an armored SSH signature (-----BEGIN SSH SIGNATURE-----): {e}"
            )
        })?;
        let date = self.date.to_string();
        let statement = statement::statement(&statement::Fields {
            name: &self.name,
            version: &self.version,
            fingerprint: &self.fingerprint,
            commit: self.commit.as_deref().ok_or("a signed row names its `commit`")?,
            date: &date,
            reviewer: &self.reviewer,
        })?;
        Ok(Signed { signature, statement })
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

/// The command that signs a crate off, as its page shows it.
pub fn command(name: &str) -> String {
    format!("cargo readiness sign -p {name}")
}

/// The `[[signoff]]` table of a signed row, as `cargo readiness sign` appends it.
pub fn row_text(fields: &statement::Fields, armored: &str) -> String {
    let string = |text: &str| toml::Value::from(text).to_string();
    format!(
        "[[signoff]]\nname = {}\nversion = {}\nfingerprint = {}\nreviewer = {}\ndate = {}\ncommit = {}\nsignature = \"\"\"\n{}\n\"\"\"\n",
        string(fields.name),
        string(fields.version),
        string(fields.fingerprint),
        string(fields.reviewer),
        fields.date,
        string(fields.commit),
        armored.trim()
    )
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
    use super::standing::Judge;
    use super::*;

    const FP: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    fn parse(text: &str) -> Result<Signoffs, String> {
        Signoffs::parse(text, Path::new("readiness-signoff.toml")).map_err(|e| e.to_string())
    }

    fn row(reviewer: &str, fingerprint: &str) -> String {
        format!(
            "[[signoff]]\nname = \"a\"\nversion = \"1.0.0\"\nfingerprint = \"{fingerprint}\"\nreviewer = \"{reviewer}\"\ndate = 2026-11-24\n"
        )
    }

    fn judge(text: &str, required: usize) -> Judge {
        Judge { signoffs: parse(text).unwrap(), required, ..Judge::default() }
    }

    #[test]
    fn statuses() {
        let judge = judge(&row("Ada", FP), 1);
        let signed = judge.report("a", "1.0.0+build", FP);
        assert_eq!(signed.status, Status::Signed);
        assert_eq!(signed.reviewer.as_deref(), Some("Ada"));
        assert_eq!(signed.date.as_deref(), Some("2026-11-24"));
        assert!(!signed.checked && !signed.new_since_baseline);
        assert_eq!(signed.rows[0].state, allowed::RowState::Unsigned);
        let other = FP.replace('1', "2");
        assert_eq!(judge.report("a", "1.0.0", &other).status, Status::Stale);
        let missing = judge.report("a", "1.1.0", FP);
        assert_eq!(missing.status, Status::Missing);
        assert_eq!(missing.other_versions, ["1.0.0"]);
        assert_eq!(judge.report("b", "1.0.0", FP).status, Status::Missing);
    }

    /// `required = 2` counts distinct reviewers: one reviewer's two rows are one.
    #[test]
    fn distinct_reviewers_count_once() {
        let twice = format!("{}{}", row("Ada", FP), row("Ada", FP));
        let report = judge(&twice, 2).report("a", "1.0.0", FP);
        assert_eq!((report.status, report.signers, report.required), (Status::Incomplete, 1, 2));
        let two = format!("{}{}", row("Ada", FP), row("Bob", FP));
        assert_eq!(judge(&two, 2).report("a", "1.0.0", FP).status, Status::Signed);
    }

    /// With a baseline, a row the revision did not hold (or held otherwise) is new.
    #[test]
    fn rows_added_since_the_baseline_are_marked() {
        let mut judge = judge(&format!("{}{}", row("Ada", FP), row("Bob", FP)), 1);
        let before = parse(&row("Ada", FP)).unwrap();
        judge.before = Some([("a".to_owned(), before)].into());
        let report = judge.report("a", "1.0.0", FP);
        let new: Vec<bool> = report.rows.iter().map(|r| r.new_since_baseline).collect();
        assert_eq!(new, [false, true]);
        assert!(report.new_since_baseline);
        judge.before = Some(Default::default());
        assert!(judge.report("a", "1.0.0", FP).rows.iter().all(|r| r.new_since_baseline));
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

    /// A signature that is no SSH signature, or a signed row its statement cannot hold, is
    /// an error naming the line of the signature.
    #[test]
    fn malformed_signatures_name_their_line() {
        let commit = format!("commit = \"{}\"\n", "a".repeat(40));
        let armored = "signature = \"\"\"\n-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n\"\"\"\n";
        let message = parse(&format!("{}{commit}{armored}", row("Ada", FP))).unwrap_err();
        assert!(
            message.starts_with(
                "readiness-signoff.toml:8: a: `signature` is not an armored SSH signature"
            ),
            "{message}"
        );
        let unsigned_commit = parse(&format!("{}{armored}", row("Ada", FP))).unwrap_err();
        assert!(
            unsigned_commit.contains("is not an armored")
                || unsigned_commit.contains("names its `commit`")
        );
    }

    #[test]
    fn the_row_sign_writes_parses() {
        let commit = "a".repeat(40);
        let fields = statement::Fields {
            name: "a",
            version: "1.0.0",
            fingerprint: FP,
            commit: &commit,
            date: "2026-11-24",
            reviewer: "ada@example.com",
        };
        let text =
            row_text(&fields, "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n");
        assert!(text.contains("signature = \"\"\"\n-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n\"\"\"\n"), "{text}");
        assert_eq!(command("a"), "cargo readiness sign -p a");
    }
}
