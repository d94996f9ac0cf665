//! The per-crate stages: package (in waves, so a crate's lock has the checksums of the
//! members it lists), build (with `--build`), then checks. Each crate's product is a
//! [`CrateChecked`]; an error or a panic in its stages makes it not checked, and stays its
//! own.

use std::io::IsTerminal;

use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::base::cache::Caches;
use crate::base::error::{Error, guarded};
use crate::base::format::escape_terminal;
use crate::base::shown::Shown;
use crate::build::{Builder, Prepared, Started};
use crate::checks::settings::Settings;
use crate::checks::{self, Subject};
use crate::cli::Cli;
use crate::package::diff::Side;
use crate::package::{self, Archive, CachedArchive};
use crate::preview::{self, CratePreview};
use crate::registry::{Facts, State};
use crate::report::Checked;
use crate::workspace::{Member, Workspace};

/// One crate after the package and checks stages.
pub struct CrateChecked<'w> {
    pub member: &'w Member,
    pub checked: Checked,
    /// What the archive cache keeps, by cache key (nothing for a crate not checked).
    pub cached: Option<(String, CachedArchive)>,
    /// `--emit-crate`: the archive's bytes.
    pub emitted: Option<Vec<u8>>,
    pub preview: CratePreview,
    /// A README rendered anew, to keep in the render memo.
    pub rendered: Option<(String, Vec<u8>)>,
    /// With `--baseline` or `--online`: what is compared with the revision and the
    /// previous release.
    pub side: Option<Side>,
    /// Its stages ran (it is not "not checked"): the review's checks run on it too.
    pub packaged: bool,
}

/// What every crate's stages share.
pub struct Stages<'a> {
    pub cli: &'a Cli,
    pub workspace: &'a Workspace,
    pub settings: &'a Settings,
    pub caches: &'a Caches,
    pub registry: &'a Facts,
    /// With `--build`.
    pub builder: Option<&'a Builder<'a>>,
    /// What leaving a file out would save, by content (the `junk-file` check).
    pub deflated: &'a package::archive::DeflatedSizes<'a>,
}

/// Packages, builds and checks each selected crate, sorted by name.
pub fn check_all<'w>(
    stages: &Stages<'w>,
    selected: &[&'w Member],
    progress: &ProgressBar,
) -> Vec<CrateChecked<'w>> {
    let cache = &stages.caches.archives;
    let staged = package::in_waves(stages.workspace, selected, cache, |member, archive| {
        progress.set_message(escape_terminal(&Shown::new(member.name())));
        (member, archive.and_then(|archive| guarded(|| package_stage(stages, member, archive))))
    });
    // A build takes a while: each is shown on the progress bar, or announced where none
    // shows (a CI log).
    let announce = !stages.cli.quiet && !std::io::stderr().is_terminal();
    let building = |crates: &[&str]| {
        let archives = if crates.len() == 1 { "its archive" } else { "their archives" };
        let crates = escape_terminal(&Shown::new(crates.join(", ")));
        progress.set_message(format!("building {crates}"));
        if announce {
            eprintln!("{:>9} {crates} from {archives}", "building");
        }
    };
    let staged = build_stage(stages, staged, &building);
    // The checks, once each crate's build is finished (its documentation done).
    let mut checked: Vec<CrateChecked> = staged
        .into_par_iter()
        .map(|(member, staged)| {
            let checked = staged
                .and_then(|staged| guarded(|| check_stage(stages, staged)))
                .unwrap_or_else(|reason| not_checked(stages, member, &reason));
            progress.inc(1);
            checked
        })
        .collect();
    checked.sort_by(|a, b| a.member.name().cmp(b.member.name()));
    checked
}

/// A crate that could not be checked: its one blocker says why.
fn not_checked<'w>(stages: &Stages<'w>, member: &'w Member, reason: &str) -> CrateChecked<'w> {
    // The site holds no absolute path: the checkout's own paths are shown from its root.
    let root = format!("{}/", stages.workspace.root.display());
    let reason = reason.replace(&root, "");
    let archive = Archive::unchecked(&reason);
    let findings = checks::not_checked(member.name(), &reason, stages.settings);
    CrateChecked {
        member,
        checked: Checked::of(&archive, findings),
        cached: None,
        emitted: None,
        preview: CratePreview::default(),
        rendered: None,
        side: None,
        packaged: false,
    }
}

/// A crate packaged (with `--build`, unpacked for its build): its checks still to run.
struct Staged<'s> {
    member: &'s Member,
    archive: Archive,
    build: Prepared,
}

/// The package stage for one crate, and with `--build` its archive unpacked.
fn package_stage<'s>(
    stages: &Stages<'s>,
    member: &'s Member,
    archive: Archive,
) -> Result<Staged<'s>, Error> {
    if let Some(problem) = stages.settings.problem(member.name()) {
        return Err(problem);
    }
    let build = match stages.builder.filter(|_| member.publish) {
        Some(builder) => builder.prepare(stages.workspace, member, &archive),
        None => Prepared::not_run(),
    };
    Ok(Staged { member, archive, build })
}

/// A crate packaged, its build under way.
type Building<'s> = (Staged<'s>, Started<'s, 's>);

/// With `--build`, the builds of the crates packaged, in the plan's order (their
/// documentation goes on beside the next builds, and the checks).
fn build_stage<'s, T, E>(
    stages: &Stages<'s>,
    staged: Vec<(T, Result<Staged<'s>, E>)>,
    building: &dyn Fn(&[&str]),
) -> Vec<(T, Result<Building<'s>, E>)> {
    let mut staged = staged;
    let prepared: Vec<(&Archive, Prepared)> = staged
        .iter_mut()
        .filter_map(|(_, staged)| staged.as_mut().ok())
        .map(|Staged { archive, build, .. }| {
            (&*archive, std::mem::replace(build, Prepared::not_run()))
        })
        .collect();
    let mut started = match stages.builder {
        Some(builder) => builder.build(prepared, building),
        None => prepared.into_iter().map(|_| Started::not_run()).collect(),
    }
    .into_iter();
    staged
        .into_iter()
        .map(|(key, staged)| {
            let staged = staged.map(|staged| (staged, started.next().expect("one per crate")));
            (key, staged)
        })
        .collect()
}

/// The checks stage for one packaged crate.
fn check_stage<'s>(
    stages: &Stages<'s>,
    (staged, build): Building<'s>,
) -> Result<CrateChecked<'s>, Error> {
    let Stages { cli, workspace, settings, caches, registry, deflated, .. } = *stages;
    let Staged { member, archive, .. } = staged;
    let build_outcome = build.finish();
    let limits = settings.limits(member.name());
    let preview::Built { preview, fresh: rendered } =
        preview::build(member, &archive, &caches.render)?;
    let subject = Subject {
        workspace,
        member,
        archive: &archive,
        limits: &limits,
        readme: preview.readme.as_ref(),
        registry,
        build_outcome: &build_outcome,
        deflated,
    };
    let findings = checks::run_crate(&subject, settings);
    let emitted = if cli.emit_crate {
        let mut bytes = Vec::with_capacity(archive.compressed_size as usize);
        let version = member.package.version.to_string();
        package::archive::write(member.name(), &version, &archive.files, &mut bytes)?;
        Some(bytes)
    } else {
        None
    };
    let cached = Some((archive.cache_key.clone(), archive.to_cached()));
    // Only what is published is compared with the baseline and the previous release.
    let compared = cli.baseline.is_some() || registry.state == State::Online;
    let side = (compared && member.publish).then(|| Side::of(&archive));
    let checked = Checked::of(&archive, findings);
    Ok(CrateChecked { member, checked, cached, emitted, preview, rendered, side, packaged: true })
}
