//! `cargo readiness verify`: whether every selected publishable crate is signed off in
//! `readiness-signoff.toml` for its current version and fingerprint, and, for a crate whose
//! content changed after its sign-off, what changed since the signed-off commit. What a
//! release job runs before `cargo publish`. It writes no site. `--published`, after
//! `cargo publish`: whether the registry serves what was signed off ([`published`]). Every
//! line it prints shows the checkout's text as [`Shown`].

pub mod published;

use std::collections::BTreeMap;
use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::base::cache::Caches;
use crate::base::error::Error;
use crate::base::format::{escape_terminal, plural, short_hash};
use crate::base::shown::Shown;
use crate::cli::{Cli, ColorWhen, Command, VerifyArgs};
use crate::package::Archive;
use crate::package::diff::{ArchiveDiff, Status as ChangeStatus};
use crate::review::baseline::{self, Comparison};
use crate::review::signoff::{SignoffReport, Signoffs, Status};
use crate::workspace::Workspace;

/// One crate's standing.
#[derive(Debug)]
pub struct Verdict {
    pub name: String,
    pub version: String,
    /// The fingerprint now, or why the crate could not be packaged.
    pub fingerprint: Result<String, String>,
    pub signoff: SignoffReport,
    /// For a stale sign-off: what changed since its commit, or why that cannot be said.
    pub since: Option<Result<Comparison, String>>,
}

impl Verdict {
    pub fn signed(&self) -> bool {
        self.fingerprint.is_ok() && self.signoff.status == Status::Signed
    }
}

/// Checks the sign-offs (or, with `--published`, what the registry serves); the exit code
/// is 0 when every crate is signed off, else 1.
pub fn run(cli: &Cli) -> Result<i32, Error> {
    if let Some(Command::Verify(VerifyArgs { published: true })) = cli.command {
        return published::run(cli);
    }
    crate::registry::source::for_cli(cli, false)?;
    let verdicts = verdicts(cli)?;
    if !cli.quiet {
        let _ = write_verdicts(&mut stream(cli), &verdicts);
    }
    Ok(i32::from(!verdicts.iter().all(Verdict::signed)))
}

/// The selected publishable crates, packaged.
struct Packaged {
    workspace: Workspace,
    signoffs: Signoffs,
    caches: Caches,
    /// By name: the archive, or why it could not be packaged.
    archives: Vec<(String, Result<Archive, String>)>,
}

fn package_selected(cli: &Cli) -> Result<Packaged, Error> {
    let caches = Caches::open(crate::base::cache::root(cli.cache_dir.as_deref()).as_deref());
    let workspace = Workspace::load(cli.manifest_path.as_deref(), &caches.declarations)?;
    let signoffs = Signoffs::load(&workspace.root, &workspace.confinement)?;
    let selected: Vec<_> =
        workspace.select(&cli.packages, &cli.exclude)?.into_iter().filter(|m| m.publish).collect();
    let archives = crate::package::in_waves(&workspace, &selected, |member, checksums| {
        match crate::package::package(&workspace, member, &caches.archives, checksums) {
            Ok(archive) => {
                let written = archive.written();
                ((member.name().to_owned(), Ok(archive)), Some(written))
            }
            Err(error) => ((member.name().to_owned(), Err(error.to_string())), None),
        }
    });
    Ok(Packaged { workspace, signoffs, caches, archives })
}

/// Every selected publishable crate's standing, by name.
pub fn verdicts(cli: &Cli) -> Result<Vec<Verdict>, Error> {
    let Packaged { workspace, signoffs, caches, archives } = package_selected(cli)?;
    let mut verdicts: Vec<Verdict> = Vec::with_capacity(archives.len());
    let mut requests = Vec::new();
    for (name, archive) in archives {
        let Some(member) = workspace.member(&name) else { continue };
        let version = member.package.version.to_string();
        let fingerprint = archive.as_ref().map(|a| a.fingerprint.clone()).map_err(Clone::clone);
        let signoff = match &fingerprint {
            Ok(fingerprint) => signoffs.status(&name, &version, fingerprint),
            Err(_) => signoffs.status(&name, &version, ""),
        };
        let mut since = None;
        if let (Status::Stale, Ok(archive)) = (signoff.status, &archive) {
            match &signoff.commit {
                Some(commit) => requests.push(baseline::Request {
                    name: name.clone(),
                    now: crate::package::diff::Side::of(archive),
                    rev: Some(commit.clone()),
                    archive: false,
                }),
                None => {
                    since = Some(Err(
                        "the sign-off names no commit, so what changed since cannot be shown"
                            .to_owned(),
                    ));
                }
            }
        }
        verdicts.push(Verdict { name, version, fingerprint, signoff, since });
    }
    let mut compared = compare_since(&workspace, requests, &caches);
    for verdict in &mut verdicts {
        if let Some(comparison) = compared.remove(&verdict.name) {
            verdict.since = Some(comparison);
        }
    }
    verdicts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(verdicts)
}

/// What changed since each stale sign-off's commit. A commit this clone does not hold (a
/// shallow clone, a made-up hash) or whose tree is refused is that crate's reason, said
/// beside it, never the run's error: the sign-off file is written by the pull request.
fn compare_since(
    workspace: &Workspace,
    requests: Vec<baseline::Request>,
    caches: &Caches,
) -> BTreeMap<String, Result<Comparison, String>> {
    baseline::compare(workspace, requests, caches)
        .into_iter()
        .map(|(name, compared)| (name, Ok(compared.comparison)))
        .collect()
}

/// Standard output, colored as `--color` says.
fn stream(cli: &Cli) -> anstream::AutoStream<std::io::StdoutLock<'static>> {
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    anstream::AutoStream::new(std::io::stdout().lock(), choice)
}

/// The lines `verify` prints, uncolored when `out` strips styles.
pub fn write_verdicts(out: &mut impl Write, verdicts: &[Verdict]) -> std::io::Result<()> {
    let indent = " ".repeat(10);
    for verdict in verdicts {
        let (label, color) = match (&verdict.fingerprint, verdict.signoff.status) {
            (Err(_), _) => ("error", AnsiColor::Red),
            (Ok(_), Status::Signed) => ("signed", AnsiColor::Green),
            (Ok(_), Status::Stale) => ("stale", AnsiColor::Red),
            (Ok(_), Status::Missing) => ("missing", AnsiColor::Red),
        };
        let style = Style::new().fg_color(Some(color.into())).bold();
        let name = terminal_text(&format!("{} {}", verdict.name, verdict.version));
        let signoff = &verdict.signoff;
        let by = || {
            let reviewer = signoff.reviewer.as_ref().map_or("?".into(), escape_terminal);
            format!("by {reviewer} on {}", signoff.date.as_deref().unwrap_or("?"))
        };
        write!(out, "{style}{label:>9}{style:#} {name}  ")?;
        match (&verdict.fingerprint, signoff.status) {
            (Err(reason), _) => writeln!(out, "could not be packaged: {}", terminal_text(reason))?,
            (Ok(_), Status::Signed) => writeln!(out, "{}", by())?,
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
    }
    let signed = verdicts.iter().filter(|v| v.signed()).count();
    writeln!(
        out,
        "{:>9} {signed} of {} signed off ({})",
        "verify",
        plural(verdicts.len(), "crate"),
        crate::review::signoff::FILE
    )
}

/// Text of the checkout (or of an error about it), shown for the terminal.
fn terminal_text(text: &str) -> String {
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
fn write_diff(out: &mut impl Write, indent: &str, diff: &ArchiveDiff) -> std::io::Result<()> {
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
