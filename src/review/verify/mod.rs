//! `cargo readiness verify`: whether every selected publishable crate is signed off in
//! `readiness-signoff.toml` for its current version and fingerprint (by enough distinct
//! reviewers, and with `--allowed-signers` by signatures of listed keys) and not blocked,
//! and, for a crate whose content changed after its sign-off, what changed since the
//! signed-off commit. What a release job runs before `cargo publish`. It writes no site.
//! `--published`, after `cargo publish`: whether the registry serves what was signed off
//! ([`published`]). Every line it prints shows the checkout's text as `Shown` ([`lines`]).

pub mod lines;
pub mod published;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::base::cache::Caches;
use crate::base::error::Error;
use crate::cli::{Cli, ColorWhen, Command, TrustArgs, VerifyArgs};
use crate::package::Archive;
use crate::review::baseline::{self, Comparison};
use crate::review::signoff::standing::Judge;
use crate::review::signoff::{SignoffReport, Status};
use crate::workspace::{Member, Workspace};

pub use lines::write_verdicts;

/// The blockers of a packaged crate, each as `id: message`. The checks decide, on a floor
/// above this one, so the caller passes them in (`main` passes
/// [`crate::checks::gate::blockers`]): a blocked crate never passes `verify`.
pub type Blockers = dyn Fn(&Workspace, &Caches, &Member, &Archive) -> Vec<String> + Sync;

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
    /// The crate's blockers (`id: message`), by the checks.
    pub blockers: Vec<String>,
}

impl Verdict {
    pub fn signed(&self) -> bool {
        self.fingerprint.is_ok()
            && self.signoff.status == Status::Signed
            && self.blockers.is_empty()
    }
}

/// Checks the sign-offs (or, with `--published`, what the registry serves); the exit code
/// is 0 when every crate is signed off and none is blocked, else 1.
pub fn run(cli: &Cli, blockers: &Blockers) -> Result<i32, Error> {
    let args = match &cli.command {
        Some(Command::Verify(args)) => args.clone(),
        _ => VerifyArgs::default(),
    };
    if args.published {
        return published::run(cli, &args.trust);
    }
    crate::registry::source::for_cli(cli, false)?;
    let (verdicts, checked) = verdicts(cli, &args.trust, blockers)?;
    if !cli.quiet {
        let _ = write_verdicts(&mut stream(cli), &verdicts, checked);
    }
    Ok(i32::from(!verdicts.iter().all(Verdict::signed)))
}

/// The selected publishable crates, packaged.
pub(crate) struct Packaged {
    pub(crate) workspace: Workspace,
    pub(crate) judge: Judge,
    pub(crate) caches: Caches,
    /// By name: the archive, or why it could not be packaged.
    pub(crate) archives: Vec<(String, Result<Archive, String>)>,
}

/// Loads the workspace and its sign-offs, and packages the selected publishable crates as
/// the report does (what `verify` and `sign` fingerprint).
pub(crate) fn package_selected(cli: &Cli, trust: &TrustArgs) -> Result<Packaged, Error> {
    let caches = Caches::open(crate::base::cache::root(cli.cache_dir.as_deref()).as_deref());
    let workspace = Workspace::load(cli.manifest_path.as_deref(), &caches.declarations)?;
    let judge = crate::review::signoff::trust::judge(trust, &workspace)?;
    let selected: Vec<_> =
        workspace.select(&cli.packages, &cli.exclude)?.into_iter().filter(|m| m.publish).collect();
    let archives =
        crate::package::in_waves(&workspace, &selected, &caches.archives, |m, archive| {
            (m.name().to_owned(), archive)
        });
    Ok(Packaged { workspace, judge, caches, archives })
}

/// Every selected publishable crate's standing, by name; and whether signatures were
/// checked (`--allowed-signers`).
pub fn verdicts(
    cli: &Cli,
    trust: &TrustArgs,
    blockers: &Blockers,
) -> Result<(Vec<Verdict>, bool), Error> {
    let Packaged { workspace, judge, caches, archives } = package_selected(cli, trust)?;
    let blocked: Vec<Vec<String>> = archives
        .par_iter()
        .map(|(name, archive)| match (workspace.member(name), archive) {
            (Some(member), Ok(archive)) => blockers(&workspace, &caches, member, archive),
            _ => Vec::new(),
        })
        .collect();
    let mut verdicts: Vec<Verdict> = Vec::with_capacity(archives.len());
    let mut requests = Vec::new();
    for ((name, archive), blockers) in archives.into_iter().zip(blocked) {
        let Some(member) = workspace.member(&name) else { continue };
        let version = member.package.version.to_string();
        let fingerprint = archive.as_ref().map(|a| a.fingerprint.clone()).map_err(Clone::clone);
        let signoff = judge.report(&name, &version, fingerprint.as_deref().unwrap_or_default());
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
        verdicts.push(Verdict { name, version, fingerprint, signoff, since, blockers });
    }
    let mut compared = compare_since(&workspace, requests, &caches);
    for verdict in &mut verdicts {
        if let Some(comparison) = compared.remove(&verdict.name) {
            verdict.since = Some(comparison);
        }
    }
    verdicts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((verdicts, judge.signers.is_some()))
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
