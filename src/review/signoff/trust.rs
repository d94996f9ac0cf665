//! Where a sign-off's trust comes from, all of it from outside the change under review:
//! `--allowed-signers SOURCE` (a file, or `REV:PATH` read from git's objects of another
//! revision, never the work tree), the policy `[workspace.metadata.readiness.signoff]
//! required = N` with `--required N` (the larger counts, so a pull request cannot lower
//! what CI requires), and with `--baseline` the sign-off file as the revision had it.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;

use super::allowed::AllowedSigners;
use super::standing::Judge;
use super::{FILE, MAX_SIZE, Signoffs};
use crate::base::error::Error;
use crate::cli::TrustArgs;
use crate::review::{baseline, revision};
use crate::workspace::Workspace;

/// An allowed-signers file is a line per key; 1 MiB is thousands of reviewers.
const MAX_ALLOWED_SIGNERS: u64 = 1 << 20;

/// Where `--allowed-signers` reads from.
#[derive(Debug, PartialEq, Eq)]
enum Source<'a> {
    File(&'a Path),
    /// `REV:PATH`: PATH in the tree of REV.
    Revision {
        rev: &'a str,
        path: &'a str,
    },
}

impl<'a> Source<'a> {
    /// `REV:PATH` when the text holds a colon, unless it starts as a path does (`/`, `.`,
    /// a drive letter): a colon in a file's name is written `./name:with:colons`. Which
    /// form applies never depends on what exists, so a pull request cannot make a
    /// `REV:PATH` read a file it adds.
    fn parse(text: &'a str) -> Source<'a> {
        let drive = text.len() > 2
            && text.as_bytes()[0].is_ascii_alphabetic()
            && text[1..].starts_with([':'])
            && text[2..].starts_with(['/', '\\']);
        match text.split_once(':') {
            Some((rev, path)) if !text.starts_with(['/', '.']) && !drive => {
                Source::Revision { rev, path }
            }
            _ => Source::File(Path::new(text)),
        }
    }
}

/// Everything the rows are judged against: the sign-off file, `--allowed-signers` and the
/// policy, as of now.
pub fn judge(args: &TrustArgs, workspace: &Workspace) -> Result<Judge, Error> {
    let signoffs = Signoffs::load(&workspace.root, &workspace.confinement)?;
    let signers = match &args.allowed_signers {
        Some(text) => Some(allowed_signers(text, workspace.confinement.root())?),
        None => None,
    };
    let required = policy(workspace)?.max(args.required.map_or(1, |n| n as usize));
    Ok(Judge { signoffs, signers, required, now: Some(Timestamp::now()), before: None })
}

/// Reads and parses `--allowed-signers`; errors name the source and the line.
fn allowed_signers(text: &str, repository: &Path) -> Result<AllowedSigners, Error> {
    let error = |line: Option<usize>, message: String| Error::AllowedSigners {
        origin: text.to_owned(),
        line,
        message: crate::base::error::one_line(&message),
    };
    let bytes = match Source::parse(text) {
        Source::File(path) => {
            let size = std::fs::metadata(path).map_err(|e| error(None, e.to_string()))?.len();
            if size > MAX_ALLOWED_SIGNERS {
                return Err(error(None, format!("{size} bytes; over 1 MiB is not read")));
            }
            crate::base::paths::read_bounded(path, MAX_ALLOWED_SIGNERS)
                .map_err(|e| error(None, e.to_string()))?
        }
        Source::Revision { rev, path } => {
            revision::read_file(repository, rev, path, MAX_ALLOWED_SIGNERS)
                .map_err(|e| error(None, e.to_string()))?
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| error(None, "not UTF-8".into()))?;
    AllowedSigners::parse(&text).map_err(|(line, why)| error(Some(line), why))
}

/// `[workspace.metadata.readiness.signoff] required` (1 when not set).
fn policy(workspace: &Workspace) -> Result<usize, Error> {
    let Some(table) = workspace.metadata.get("readiness").and_then(|r| r.get("signoff")) else {
        return Ok(1);
    };
    let error = |message: &str| Error::Config {
        path: workspace.root.join("Cargo.toml"),
        table: "[workspace.metadata.readiness.signoff]".into(),
        message: message.into(),
    };
    let fields = table.as_object().ok_or_else(|| error("must be a table"))?;
    let mut required = 1;
    for (key, value) in fields {
        match key.as_str() {
            "required" => {
                required = value
                    .as_u64()
                    .filter(|&n| (1..=u64::from(u32::MAX)).contains(&n))
                    .ok_or_else(|| error("`required` must be a whole number of at least 1"))?
                    as usize;
            }
            other => return Err(error(&format!("unknown field `{other}`, expected `required`"))),
        }
    }
    Ok(required)
}

impl Judge {
    /// With `--baseline`: the sign-off file at each publishable crate's revision, so that
    /// every row added or changed since is marked. A revision whose file is missing or
    /// unreadable approved nothing: each row is then new.
    pub fn with_baseline(mut self, workspace: &Workspace, spec: &baseline::Spec) -> Judge {
        let repository = workspace.confinement.root();
        let relative = std::fs::canonicalize(&workspace.root)
            .ok()
            .and_then(|root| root.strip_prefix(repository).ok().map(Path::to_path_buf))
            .unwrap_or_default();
        let file = relative.join(FILE);
        let file: Vec<String> =
            file.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let file = file.join("/");
        let crates = workspace.members.iter().filter(|m| m.publish);
        let versions = crates.map(|m| (m.name(), &m.package.version));
        let mut read: BTreeMap<String, Signoffs> = BTreeMap::new();
        let mut before = BTreeMap::new();
        for (name, rev) in baseline::revisions(workspace, versions, spec) {
            let Some(rev) = rev else { continue };
            let then = read.entry(rev.clone()).or_insert_with(|| {
                revision::read_file(repository, &rev, &file, MAX_SIZE)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .and_then(|text| Signoffs::parse(&text, Path::new(FILE)).ok())
                    .unwrap_or_default()
            });
            before.insert(name.to_owned(), then.clone());
        }
        self.before = Some(before);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_a_revision_by_its_form_alone() {
        let revision = |rev, path| Source::Revision { rev, path };
        assert_eq!(
            Source::parse("origin/main:.github/allowed_signers"),
            revision("origin/main", ".github/allowed_signers")
        );
        assert_eq!(Source::parse("HEAD~1:a:b"), revision("HEAD~1", "a:b"));
        for file in
            ["allowed_signers", "./odd:name", "/etc/ssh/allowed:signers", "C:\\keys", "c:/k"]
        {
            assert_eq!(Source::parse(file), Source::File(Path::new(file)), "{file}");
        }
    }
}
