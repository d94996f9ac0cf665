//! Each crate's standing against the sign-off file: every row of its version judged (its
//! signature against the allowed signers, whether it approves the content as it is now,
//! whether the change under review added it), and whether enough distinct reviewers
//! approve this content.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::Serialize;
use ssh_key::HashAlg;

use super::allowed::{AllowedSigners, RowState};
use super::statement::NAMESPACE;
use super::{Row, Signoffs, compare_versions};
use crate::base::shown::Shown;

/// A crate's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Enough distinct reviewers approve this version and fingerprint.
    Signed,
    /// Rows approve this content, but too few count: unverified, or too few reviewers.
    Incomplete,
    /// Signed off for this version, but for another fingerprint: the content changed since.
    Stale,
    /// No sign-off for this version.
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Signed => "signed",
            Status::Incomplete => "incomplete",
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
    pub reviewer: Option<Shown>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The fingerprint that was approved.
    pub fingerprint: Option<String>,
    pub commit: Option<String>,
    /// Versions of this crate signed off before (for a missing sign-off), oldest first.
    pub other_versions: Vec<Shown>,
    /// Added to v1: distinct reviewers whose rows count for this content.
    pub signers: usize,
    /// Added to v1: distinct reviewers required (`required` of the sign-off policy).
    pub required: usize,
    /// Added to v1: whether signatures were checked (`--allowed-signers`); without, every
    /// row is "unsigned" and counts as it is.
    pub checked: bool,
    /// Added to v1: every row of this version, in file order.
    pub rows: Vec<RowReport>,
    /// Added to v1: with `--baseline`, some row of this version was added or changed since
    /// the revision (a self-approval shows here).
    pub new_since_baseline: bool,
}

/// One row of a crate's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowReport {
    pub reviewer: Shown,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub fingerprint: String,
    pub commit: Option<String>,
    pub state: RowState,
    /// The signing key's fingerprint (`SHA256:…`), for a signed row.
    pub key: Option<String>,
    /// The row approves the content as it is now.
    pub current: bool,
    /// The row counts toward the sign-off.
    pub counts: bool,
    /// With `--baseline`: the row was added or changed since the revision.
    pub new_since_baseline: bool,
    /// The state as a sentence.
    pub detail: Shown,
}

/// Everything a row is judged against.
#[derive(Debug, Default)]
pub struct Judge {
    pub signoffs: Signoffs,
    /// `--allowed-signers`, when given.
    pub signers: Option<AllowedSigners>,
    pub required: usize,
    /// When validity windows are judged: the time of the check, as `ssh-keygen -Y verify`.
    pub now: Option<Timestamp>,
    /// With `--baseline`: the rows each crate had at its revision (a crate not in it, or
    /// with no revision, had none).
    pub before: Option<BTreeMap<String, Signoffs>>,
}

impl Judge {
    /// The crate's standing for `version` and `fingerprint`.
    pub fn report(&self, name: &str, version: &str, fingerprint: &str) -> SignoffReport {
        let rows: Vec<RowReport> =
            self.signoffs.of_version(name, version).map(|row| self.row(row, fingerprint)).collect();
        let counted: BTreeSet<&str> =
            rows.iter().filter(|r| r.counts).map(|r| &*r.reviewer as &str).collect();
        let required = self.required.max(1);
        let (status, resting) = if counted.len() >= required {
            (Status::Signed, rows.iter().find(|r| r.counts))
        } else if let Some(row) = rows.iter().rev().find(|r| r.current) {
            (Status::Incomplete, Some(row))
        } else {
            match rows.last() {
                Some(row) => (Status::Stale, Some(row)),
                None => (Status::Missing, None),
            }
        };
        let mut other_versions: Vec<&str> = match status {
            Status::Missing => self
                .signoffs
                .rows()
                .iter()
                .filter(|row| row.entry.name == name)
                .map(|row| row.entry.version.as_str())
                .collect(),
            _ => Vec::new(),
        };
        other_versions.sort_by(|a, b| compare_versions(a, b));
        other_versions.dedup();
        SignoffReport {
            status,
            reviewer: resting.map(|r| r.reviewer.clone()),
            date: resting.map(|r| r.date.clone()),
            fingerprint: resting.map(|r| r.fingerprint.clone()),
            commit: resting.and_then(|r| r.commit.clone()),
            other_versions: other_versions.into_iter().map(Shown::new).collect(),
            signers: counted.len(),
            required,
            checked: self.signers.is_some(),
            new_since_baseline: rows.iter().any(|r| r.new_since_baseline),
            rows,
        }
    }

    fn row(&self, row: &Row, fingerprint: &str) -> RowReport {
        let entry = &row.entry;
        let key = row
            .signed
            .as_ref()
            .map(|signed| signed.signature.public_key().fingerprint(HashAlg::Sha256).to_string());
        let state = match (&self.signers, &row.signed) {
            (Some(signers), Some(signed)) => signers.judge(
                &entry.reviewer,
                &signed.signature,
                signed.statement.as_bytes(),
                self.now.unwrap_or_else(Timestamp::now),
            ),
            _ => RowState::Unsigned,
        };
        let current = entry.fingerprint == fingerprint;
        let new_since_baseline = self.before.as_ref().is_some_and(|before| {
            before
                .get(&entry.name)
                .is_none_or(|then| then.rows().iter().all(|old| old.entry != *entry))
        });
        RowReport {
            reviewer: Shown::new(&entry.reviewer),
            date: entry.date.to_string(),
            fingerprint: entry.fingerprint.clone(),
            commit: entry.commit.clone(),
            state,
            current,
            counts: current && (self.signers.is_none() || state == RowState::Verified),
            new_since_baseline,
            detail: Shown::new(self.detail(row, state, key.as_deref())),
            key,
        }
    }

    /// The state as a sentence, for the terminal, the page and the summary.
    fn detail(&self, row: &Row, state: RowState, key: Option<&str>) -> String {
        let principal = &row.entry.reviewer;
        let key = key.unwrap_or("?");
        match state {
            RowState::Verified => format!("signed by key {key}, listed for {principal}"),
            RowState::Unsigned => match (&row.signed, &self.signers) {
                (None, None) => "no signature".to_owned(),
                (None, Some(_)) => {
                    "no signature, so it does not count with --allowed-signers".to_owned()
                }
                (Some(_), _) => {
                    format!("signed by key {key}, not checked: no --allowed-signers was given")
                }
            },
            RowState::UnknownPrincipal => {
                format!("no line of the allowed signers lists {principal}")
            }
            RowState::KeyNotAllowed => format!("key {key} is not listed for {principal}"),
            RowState::StatementEdited => format!(
                "the signature by key {key} does not cover this row's fields: one was changed after signing"
            ),
            RowState::KeyExpired | RowState::KeyNotYetValid => {
                let window = row.signed.as_ref().and_then(|signed| {
                    let signers = self.signers.as_ref()?;
                    signers.window(principal, signed.signature.public_key())
                });
                format!("key {key} is {}", window.unwrap_or_else(|| "outside its window".into()))
            }
            RowState::BadNamespace => {
                let namespace = row.signed.as_ref().map_or("", |s| s.signature.namespace());
                match namespace == NAMESPACE {
                    true => format!(
                        "the allowed signers list key {key} for {principal}, but not for the namespace {NAMESPACE}"
                    ),
                    false => {
                        format!("the signature is for the namespace {namespace:?}, not {NAMESPACE}")
                    }
                }
            }
        }
    }
}
