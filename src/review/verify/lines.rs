//! The lines `verify` prints: per crate its label, what it rests on, each row of its
//! version with its state, and what changed since a stale sign-off; then the tally, and
//! without `--allowed-signers` how to require signatures. Checkout text is shown as
//! [`Shown`] (redacted, hidden characters made visible, escaped for the terminal).

use std::io::Write;

use anstyle::{AnsiColor, Style};

use super::Verdict;
use crate::base::format::{escape_terminal, plural, short_hash};
use crate::base::shown::Shown;
use crate::package::diff::{ArchiveDiff, Status as ChangeStatus};
use crate::review::baseline::Comparison;
use crate::review::signoff::Status;

/// How to require signatures, printed when they were not checked.
pub const HOW_TO_REQUIRE: &str = "signatures were not checked: add --allowed-signers REV:PATH (an allowed-signers file on a protected branch, e.g. origin/main:.github/allowed_signers) to count only sign-offs signed by a listed reviewer's key (see the guide's Sign-off chapter)";

/// The lines `verify` prints, uncolored when `out` strips styles; `checked`: whether
/// signatures were checked against allowed signers.
pub fn write_verdicts(
    out: &mut impl Write,
    verdicts: &[Verdict],
    checked: bool,
) -> std::io::Result<()> {
    let indent = " ".repeat(10);
    for verdict in verdicts {
        let signoff = &verdict.signoff;
        let (label, color) = match (&verdict.fingerprint, signoff.status) {
            (Err(_), _) => ("error", AnsiColor::Red),
            (Ok(_), _) if !verdict.blockers.is_empty() => ("blocked", AnsiColor::Red),
            (Ok(_), Status::Signed) => ("signed", AnsiColor::Green),
            (Ok(_), Status::Incomplete) => ("incomplete", AnsiColor::Red),
            (Ok(_), Status::Stale) => ("stale", AnsiColor::Red),
            (Ok(_), Status::Missing) => ("missing", AnsiColor::Red),
        };
        let style = Style::new().fg_color(Some(color.into())).bold();
        let name = terminal_text(&format!("{} {}", verdict.name, verdict.version));
        let by = || {
            let reviewer = signoff.reviewer.as_ref().map_or("?".into(), escape_terminal);
            format!("by {reviewer} on {}", signoff.date.as_deref().unwrap_or("?"))
        };
        let reviewers = format!("reviewers: {} of {} required", signoff.signers, signoff.required);
        write!(out, "{style}{label:>9}{style:#} {name}  ")?;
        if !verdict.blockers.is_empty() {
            writeln!(
                out,
                "blocked by {}: a blocked crate never passes, signed off or not",
                plural(verdict.blockers.len(), "check")
            )?;
            for blocker in &verdict.blockers {
                writeln!(out, "{indent}{}", terminal_text(blocker))?;
            }
            write!(out, "{indent}")?;
        }
        match (&verdict.fingerprint, signoff.status) {
            (Err(reason), _) => writeln!(out, "could not be packaged: {}", terminal_text(reason))?,
            (Ok(_), Status::Signed) => writeln!(out, "{} ({reviewers})", by())?,
            (Ok(_), Status::Incomplete) => {
                writeln!(out, "not signed off by enough reviewers ({reviewers})")?
            }
            (Ok(fingerprint), Status::Stale) => {
                writeln!(out, "signed off {} for another content", by())?;
                writeln!(
                    out,
                    "{indent}signed off: {}",
                    signoff.fingerprint.as_deref().unwrap_or("?")
                )?;
                writeln!(out, "{indent}now:        {fingerprint}")?;
                write_since(out, &indent, verdict.since.as_ref())?;
            }
            (Ok(fingerprint), Status::Missing) => {
                let before = match signoff.other_versions.as_slice() {
                    [] => String::new(),
                    versions => {
                        format!(" (signed off before: {})", terminal_text(&versions.join(", ")))
                    }
                };
                writeln!(out, "no sign-off for this version{before}")?;
                writeln!(out, "{indent}fingerprint: {fingerprint}")?;
            }
        }
        for row in &signoff.rows {
            let content = if row.current { "" } else { " (another content)" };
            let new = if row.new_since_baseline { " (added in this change)" } else { "" };
            writeln!(
                out,
                "{indent}{} {}: {}{content}{new}: {}",
                escape_terminal(&row.reviewer),
                row.date,
                row.state.as_str(),
                escape_terminal(&row.detail)
            )?;
        }
    }
    let signed = verdicts.iter().filter(|v| v.signed()).count();
    writeln!(
        out,
        "{:>9} {signed} of {} signed off ({})",
        "verify",
        plural(verdicts.len(), "crate"),
        crate::review::signoff::FILE
    )?;
    if !checked {
        writeln!(out, "{:>9} {HOW_TO_REQUIRE}", "note")?;
    }
    Ok(())
}

/// Text of the checkout (or of an error about it), shown for the terminal.
pub(super) fn terminal_text(text: &str) -> String {
    escape_terminal(&Shown::new(text))
}

fn write_since(
    out: &mut impl Write,
    indent: &str,
    since: Option<&Result<Comparison, String>>,
) -> std::io::Result<()> {
    let comparison = match since {
        None => return Ok(()),
        Some(Err(reason)) => return writeln!(out, "{indent}{}", terminal_text(reason)),
        Some(Ok(comparison)) => comparison,
    };
    // The commit as resolved, or as the sign-off names it when it does not resolve.
    let named = comparison.commit.as_deref().or(comparison.rev.as_deref()).unwrap_or("?");
    let commit = terminal_text(&short_hash(named));
    if let Some(reason) = &comparison.reason {
        let reason = terminal_text(reason);
        return match comparison.status {
            ChangeStatus::NotCompared => {
                writeln!(out, "{indent}not compared with commit {commit}: {reason}")
            }
            _ => writeln!(out, "{indent}since commit {commit}: {reason}"),
        };
    }
    writeln!(out, "{indent}changed since commit {commit}:")?;
    write_diff(out, indent, &comparison.diff)
}

/// Files added, removed and modified, then manifest changes, one per line.
pub(super) fn write_diff(
    out: &mut impl Write,
    indent: &str,
    diff: &ArchiveDiff,
) -> std::io::Result<()> {
    for row in diff.file_rows() {
        let path = escape_terminal(row.path);
        writeln!(out, "{indent}  {:<8} {path} ({})", row.change, row.size)?;
    }
    for change in &diff.manifest_changes {
        let value = |v: &Option<Shown>| v.as_ref().map_or("(none)".to_owned(), escape_terminal);
        writeln!(
            out,
            "{indent}  manifest {}: {} → {} ({})",
            escape_terminal(&change.key),
            value(&change.before),
            value(&change.after),
            change.kind.as_str()
        )?;
    }
    Ok(())
}
