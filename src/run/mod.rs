//! One run, stage by stage: workspace → package → checks → report → site → output, with
//! the terminal printer at the end.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::base::error::{Error, guarded};
use crate::base::format::{escape_terminal, human_size, plural};
use crate::base::shown::Shown;
use crate::checks::settings::Settings;
use crate::checks::{self, Subject, WorkspaceSubject};
use crate::cli::{Cli, ColorWhen, MessageFormat};
use crate::package::CachedArchive;
use crate::preview::CratePreview;
use crate::registry::{Facts, State};
use crate::report::{CrateReport, Report, Verdict};
use crate::review::baseline;
use crate::review::signoff::Signoffs;
use crate::site::{self, SiteInput, theme::Theme};
use crate::workspace::plan;
use crate::workspace::{Member, Workspace};
use crate::{output, package, preview, registry};
use std::collections::BTreeMap;

/// What a finished run produced.
pub struct Outcome {
    pub report: Report,
    /// `summary.md`, as written into the site.
    pub summary: String,
    /// `<out>/index.html`.
    pub index: PathBuf,
    /// 0 when no crate is blocked (nor has warnings, with `--deny warnings`), else 1.
    pub exit_code: i32,
}

/// One crate after the package and checks stages.
struct Packaged {
    report: CrateReport,
    /// What the archive cache keeps, by cache key (nothing for a crate not checked).
    cached: Option<(String, CachedArchive)>,
    /// `--emit-crate`: the archive's site path and bytes.
    emitted: Option<(String, Vec<u8>)>,
    preview: CratePreview,
    /// A README rendered anew, to keep in the render memo.
    rendered: Option<(String, Vec<u8>)>,
    /// With `--baseline`: what is compared with the revision.
    side: Option<crate::package::diff::Side>,
}

/// The report of a crate that could not be checked: its one blocker says why.
fn not_checked(
    workspace: &Workspace,
    member: &Member,
    settings: &Settings,
    reason: &str,
) -> Packaged {
    // The site holds no absolute path: the checkout's own paths are shown from its root.
    let root = format!("{}/", workspace.root.display());
    let reason = reason.replace(&root, "");
    let archive = package::Archive::unchecked(&reason);
    let findings = checks::not_checked(member.name(), &reason, settings);
    Packaged {
        report: CrateReport::new(member, &archive, &findings),
        cached: None,
        emitted: None,
        preview: CratePreview::default(),
        rendered: None,
        side: None,
    }
}

/// What every crate's package and checks stages share.
struct Stages<'a> {
    cli: &'a Cli,
    workspace: &'a Workspace,
    settings: &'a Settings,
    caches: &'a crate::base::cache::Caches,
    registry: &'a Facts,
    /// With `--build`.
    builder: Option<&'a crate::build::Builder<'a>>,
}

/// A crate packaged (with `--build`, unpacked for its build): its checks still to run.
struct Staged<'s> {
    member: &'s Member,
    archive: package::Archive,
    build: crate::build::Prepared,
}

/// The package stage for one crate, once packaged: its settings, and with `--build` its
/// archive unpacked.
fn package_stage<'s>(
    stages: &Stages<'s>,
    member: &'s Member,
    archive: package::Archive,
) -> Result<Staged<'s>, Error> {
    if let Some(problem) = stages.settings.problem(member.name()) {
        return Err(problem);
    }
    let build = match stages.builder.filter(|_| member.publish) {
        Some(builder) => builder.prepare(stages.workspace, member, &archive),
        None => crate::build::Prepared::not_run(),
    };
    Ok(Staged { member, archive, build })
}

/// A crate packaged, its build under way.
type Building<'s> = (Staged<'s>, crate::build::Started<'s, 's>);

/// With `--build`, the builds of the crates packaged, in the plan's order (their
/// documentation goes on beside the next builds, and the checks).
fn build_stage<'s, T, E>(
    stages: &Stages<'s>,
    staged: Vec<(T, Result<Staged<'s>, E>)>,
    building: &dyn Fn(&[&str]),
) -> Vec<(T, Result<Building<'s>, E>)> {
    let mut staged = staged;
    let prepared: Vec<(&package::Archive, crate::build::Prepared)> = staged
        .iter_mut()
        .filter_map(|(_, staged)| staged.as_mut().ok())
        .map(|Staged { archive, build, .. }| {
            (&*archive, std::mem::replace(build, crate::build::Prepared::not_run()))
        })
        .collect();
    let mut started = match stages.builder {
        Some(builder) => builder.build(prepared, building),
        None => prepared.into_iter().map(|_| crate::build::Started::not_run()).collect(),
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
fn check_stage(stages: &Stages, (staged, build): Building) -> Result<Packaged, Error> {
    let Stages { cli, workspace, settings, caches, registry, .. } = *stages;
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
    };
    let findings = checks::run_crate(&subject, settings);
    let report = CrateReport::new(member, &archive, &findings);
    let emitted = if cli.emit_crate {
        let mut bytes = Vec::with_capacity(archive.compressed_size as usize);
        package::archive::write(member.name(), &report.version, &archive.files, &mut bytes)?;
        Some((report.crate_file(), bytes))
    } else {
        None
    };
    let cached = Some((archive.cache_key.clone(), archive.to_cached()));
    // Only what is published is compared with the baseline and the previous release.
    let compared = cli.baseline.is_some() || registry.state == State::Online;
    let side = (compared && member.publish).then(|| crate::package::diff::Side::of(&archive));
    Ok(Packaged { cached, report, emitted, preview, rendered, side })
}

pub fn run(cli: &Cli) -> Result<Outcome, Error> {
    let started = Instant::now();
    let caches = crate::base::cache::Caches::open(
        crate::base::cache::root(cli.cache_dir.as_deref()).as_deref(),
    );
    let workspace = Workspace::load(cli.manifest_path.as_deref(), &caches.declarations)?;
    let selected = workspace.select(&cli.packages, &cli.exclude)?;
    let out = cli.out.clone().unwrap_or_else(|| workspace.target_dir.join("readiness"));
    let out = output::validate(&out, &output::Checkout::of(&workspace), &caches, cli.force)?;
    let base_url = cli.base_url.as_deref().map(normalize_base_url).transpose()?;
    let step_summary = cli.step_summary.then(step_summary_file).transpose()?;
    let theme = Theme::load(cli.theme.as_deref())?;
    let settings = Settings::load(&workspace)?;
    let signoffs = Signoffs::load(&workspace.root, &workspace.confinement)?;
    let baseline =
        cli.baseline.as_deref().map(|text| baseline::Spec::parse(text, &workspace)).transpose()?;
    let source = registry::source::for_cli(cli, cli.online)?;
    let loaded = started.elapsed();
    let (registry, facts) = match source {
        Some(source) => registry::ask(source, &caches.registry, &workspace, &selected),
        None => (None, Facts::off()),
    };
    if let Some(registry) = &registry {
        registry::learn_lock_index(registry, &workspace);
    }
    if let State::Unreachable(why) = &facts.state
        && !cli.quiet
    {
        let registry = escape_terminal(&Shown::new(&facts.registry));
        let why = escape_terminal(&Shown::new(why));
        eprintln!(
            "warning: {registry} could not be reached ({why}); its checks are shown as not checked"
        );
    }
    let asked = started.elapsed();
    let looked_up = registry.as_ref().map_or(0, registry::Registry::requests);

    let builder = match cli.build {
        true => Some(
            crate::build::Builder::new(caches.builds(), cli.online, &caches.verdicts)
                .map(|v| v.documenting_with(std::env::current_exe().ok()))
                .map_err(|e| Error::io("a folder for --build", e))?,
        ),
        false => None,
    };
    let stages = Stages {
        cli,
        workspace: &workspace,
        settings: &settings,
        caches: &caches,
        registry: &facts,
        builder: builder.as_ref(),
    };
    let progress = progress_bar(cli, selected.len());
    let staged = package::in_waves(&workspace, &selected, &caches.archives, |member, archive| {
        progress.set_message(escape_terminal(&Shown::new(member.name())));
        (member, archive.and_then(|archive| guarded(|| package_stage(&stages, member, archive))))
    });
    // A build takes a while: each is shown on the progress bar, or announced where none
    // shows (a CI log).
    let announce = !cli.quiet && !std::io::stderr().is_terminal();
    let building = |crates: &[&str]| {
        let archives = if crates.len() == 1 { "its archive" } else { "their archives" };
        let crates = escape_terminal(&Shown::new(crates.join(", ")));
        progress.set_message(format!("building {crates}"));
        if announce {
            eprintln!("{:>9} {crates} from {archives}", "building");
        }
    };
    let staged = build_stage(&stages, staged, &building);
    // The checks, once each crate's build is finished (its documentation done).
    let mut results: Vec<Packaged> = staged
        .into_par_iter()
        .map(|(member, staged)| {
            let packaged = staged
                .and_then(|staged| guarded(|| check_stage(&stages, staged)))
                .unwrap_or_else(|reason| not_checked(&workspace, member, &settings, &reason));
            progress.inc(1);
            packaged
        })
        .collect();
    results.sort_by(|a, b| a.report.key().cmp(b.report.key()));
    progress.finish_and_clear();
    let mut crates = Vec::with_capacity(results.len());
    let mut cached = Vec::with_capacity(results.len());
    let mut emitted = Vec::new();
    let mut previews = BTreeMap::new();
    let mut rendered = Vec::new();
    let mut sides = Vec::new();
    for mut packaged in results {
        let krate = &mut packaged.report;
        krate.registry = crate::report::RegistryReport::of(&facts, krate.key());
        previews.insert(krate.key().to_owned(), packaged.preview);
        rendered.extend(packaged.rendered);
        if krate.publish
            && let Some(member) = workspace.member(krate.key())
        {
            let version = member.package.version.to_string();
            krate.signoff = Some(signoffs.status(member.name(), &version, &krate.fingerprint));
        }
        sides.extend(packaged.side.map(|side| (krate.key().to_owned(), side)));
        crates.push(packaged.report);
        cached.extend(packaged.cached);
        emitted.extend(packaged.emitted);
    }
    let checked = started.elapsed();
    if let Some(registry) = &registry {
        let mut compared =
            registry::compare_with_previous(registry, &facts, &workspace, sides.clone());
        for krate in &mut crates {
            krate.previous_release = compared.remove(krate.key());
        }
    }
    let downloaded = registry.as_ref().map_or(0, registry::Registry::requests) - looked_up;
    let previous = started.elapsed();
    if let Some(spec) = &baseline {
        let mut compared = compare_with(&workspace, spec, sides, &caches);
        if !cli.quiet {
            for line in baseline::not_compared_lines(&compared) {
                eprintln!("warning: {}", escape_terminal(&Shown::new(line)));
            }
        }
        for krate in &mut crates {
            krate.baseline = compared.remove(krate.key());
        }
    }
    let packaged = started.elapsed();

    let publishable: Vec<String> =
        selected.iter().filter(|m| m.publish).map(|m| m.name().to_owned()).collect();
    let plan = plan::plan(&publishable, &workspace.member_edges());
    let workspace_findings = checks::run_workspace(
        &WorkspaceSubject { workspace: &workspace, selected: &selected, plan: &plan },
        &settings,
    );
    let mut report = Report::new(crates, &plan, &workspace_findings);
    report.workspace.registry = crate::report::RegistryStatus::of(&facts);
    report.workspace.publish_time = publish_time(&facts, &plan, &workspace);
    let head = crate::review::signoff::head(workspace.confinement.root());
    let site = site::render(
        &theme,
        &SiteInput {
            report: &report,
            plan: &plan,
            workspace_name: &Shown::new(workspace.name()),
            base_url: base_url.as_deref(),
            emit_crate: cli.emit_crate,
            head: head.as_ref(),
            previews: &previews,
            memo: &caches.render,
            unchanged: &|rel, key| out.unchanged(rel, key),
        },
    )?;
    let mut files = site.files;
    let summary = String::from_utf8_lossy(&files["summary.md"]).into_owned();
    let report_json = files["report.json"].clone();
    files.extend(emitted);
    output::write(&out, &files, &site.kept)?;
    out.record(&site.keys);
    // Only new entries are written: an archive already cached was read from there.
    caches.archives.store(&crate::package::archive_entries(cached));
    rendered.extend(site.fresh);
    caches.render.store(&rendered);
    caches.registry.sweep();
    let written = started.elapsed();

    let deny_warnings = cli.deny_warnings();
    let failed = report.crates.iter().any(|c| {
        c.verdict == Verdict::Blocked || (deny_warnings && c.verdict == Verdict::Warnings)
    });
    let outcome = Outcome {
        exit_code: i32::from(failed),
        index: out.path.join("index.html"),
        report,
        summary,
    };
    if cli.message_format == MessageFormat::Json {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&report_json)
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::io(std::path::Path::new("<standard output>"), e))?;
    }
    if let Some(path) = &step_summary {
        append_step_summary(path, &outcome.summary)?;
    }
    if !cli.quiet {
        print(
            cli,
            &outcome,
            &[
                ("load", loaded),
                (&format!("ask the registry ({looked_up} requests)"), asked - loaded),
                ("package and check", checked - asked),
                (
                    &format!("compare with previous releases ({downloaded} requests)"),
                    previous - checked,
                ),
                ("compare with the baseline", packaged - previous),
                ("render and write", written - packaged),
            ],
        );
    }
    Ok(outcome)
}

/// How long crates.io's rate limits make publishing the plan (crates.io, online only):
/// each crate of the plan whose version is not published yet is a new crate or a new
/// version.
fn publish_time(
    facts: &Facts,
    plan: &plan::PublishPlan,
    workspace: &Workspace,
) -> Option<registry::rate_limit::Estimate> {
    use registry::rate_limit::Publish;
    if facts.state != State::Online || !facts.source.crates_io {
        return None;
    }
    let mut publishes = Vec::new();
    for name in plan.order.iter().chain(&plan.cycle) {
        let version = &workspace.member(name)?.package.version;
        match facts.lookup(name).ok()? {
            None => publishes.push(Publish::NewCrate),
            Some(published) if published.release(version).is_none() => {
                publishes.push(Publish::NewVersion)
            }
            Some(_) => {}
        }
    }
    Some(registry::rate_limit::estimate(&publishes))
}

/// `--baseline`: each crate (by name, with what is compared) against its revision.
fn compare_with(
    workspace: &Workspace,
    spec: &baseline::Spec,
    sides: Vec<(String, crate::package::diff::Side)>,
    caches: &crate::base::cache::Caches,
) -> BTreeMap<String, baseline::Comparison> {
    let versions: Vec<(&str, &semver::Version)> = sides
        .iter()
        .filter_map(|(name, _)| workspace.member(name).map(|m| (m.name(), &m.package.version)))
        .collect();
    let mut revisions: BTreeMap<&str, Option<String>> =
        baseline::revisions(workspace, versions, spec).into_iter().collect();
    let requests = sides
        .into_iter()
        .map(|(name, now)| baseline::Request {
            rev: revisions.remove(name.as_str()).flatten(),
            name,
            now,
        })
        .collect();
    baseline::compare(workspace, requests, caches)
}

/// `--step-summary`: appends the summary to the file GitHub Actions names in
/// `$GITHUB_STEP_SUMMARY` (the job's summary page); the one file written outside `--out`,
/// and only on this explicit request.
fn step_summary_file() -> Result<PathBuf, Error> {
    std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()).map(PathBuf::from).ok_or_else(
        || Error::StepSummary("$GITHUB_STEP_SUMMARY (set by GitHub Actions) names no file".into()),
    )
}

fn append_step_summary(path: &std::path::Path, summary: &str) -> Result<(), Error> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(format!("{summary}\n").as_bytes()).map_err(|e| Error::io(path, e))
}

/// `--base-url`: an absolute `https://` URL with a host (`http://` only for this machine,
/// to preview a site served locally), ending with `/`.
fn normalize_base_url(text: &str) -> Result<String, Error> {
    let problem = |problem: &str| Error::BaseUrl {
        url: escape_terminal(&Shown::new(text)),
        problem: problem.into(),
    };
    if text.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err(problem("must not contain spaces or control characters"));
    }
    let url = url::Url::parse(text).map_err(|e| problem(&format!("not an absolute URL: {e}")))?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" if url.host_str().is_some_and(|h| !h.is_empty()) => {}
        "http" if local => {}
        "http" => return Err(problem("must be https:// (http:// only for localhost)")),
        _ => return Err(problem("must be an https:// URL")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(problem("must not have a query or a fragment"));
    }
    let url = url.to_string();
    Ok(if url.ends_with('/') { url } else { format!("{url}/") })
}

fn progress_bar(cli: &Cli, len: usize) -> ProgressBar {
    if cli.quiet || !std::io::stderr().is_terminal() || len < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(match cli.build {
            true => "{spinner} packaging and building {pos}/{len} {wide_msg}",
            false => "{spinner} packaging {pos}/{len} {wide_msg}",
        })
        .expect("valid progress template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn print(cli: &Cli, outcome: &Outcome, timings: &[(&str, Duration)]) {
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    // With --message-format json, standard output carries the JSON alone.
    match cli.message_format {
        MessageFormat::Human => {
            let out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
            print_lines(out, cli, outcome, timings);
        }
        MessageFormat::Json => {
            let out = anstream::AutoStream::new(std::io::stderr().lock(), choice);
            print_lines(out, cli, outcome, timings);
        }
    }
}

fn print_lines(mut out: impl Write, cli: &Cli, outcome: &Outcome, timings: &[(&str, Duration)]) {
    let width =
        outcome.report.crates.iter().map(|c| c.name.len() + c.version.len() + 1).max().unwrap_or(0);
    for krate in &outcome.report.crates {
        let tally = krate.tally();
        let style = verdict_style(krate.verdict);
        let label = format!("{:>8}", krate.verdict.as_str());
        let name = format!("{} {}", escape_terminal(&krate.name), escape_terminal(&krate.version));
        let findings = if krate.verdict == Verdict::Skipped {
            "publish = false".to_owned()
        } else {
            format!("{}, {}", plural(tally.blockers, "blocker"), plural(tally.warnings, "warning"))
        };
        let _ = writeln!(
            out,
            "{style}{label}{style:#} {name:<width$}  {findings:<24}  {}, {} ({} compressed)",
            plural(krate.archive.file_count, "file"),
            human_size(krate.archive.unpacked_size),
            human_size(krate.archive.compressed_size),
        );
        if cli.verbose > 0 && krate.verdict != Verdict::Skipped {
            for check in krate.checks.iter().filter(|c| c.counts()) {
                // A long finding (a compiler's output) shows its first lines; the page has
                // the rest.
                let mut lines = check.message.lines();
                let first = lines.next().unwrap_or_default();
                let _ = writeln!(
                    out,
                    "         {:>7} {}: {}",
                    check.severity.as_str(),
                    check.id,
                    escape_terminal(&first)
                );
                for line in lines.by_ref().take(6) {
                    let _ = writeln!(out, "                 {}", escape_terminal(&line));
                }
                let more = lines.count();
                if more > 0 {
                    let _ = writeln!(out, "                 … {more} more lines on the page");
                }
            }
        }
    }
    if cli.verbose > 1 {
        for (stage, time) in timings {
            let _ = writeln!(out, "{:>8} {stage}: {:.0?}", "time", time);
        }
    }
    let index = escape_terminal(&Shown::new(outcome.index.display().to_string()));
    let _ = writeln!(out, "{:>8} {index}", "report");
}

fn verdict_style(verdict: Verdict) -> Style {
    let color = match verdict {
        Verdict::Ready => AnsiColor::Green,
        Verdict::Warnings => AnsiColor::Yellow,
        Verdict::Blocked => AnsiColor::Red,
        Verdict::Skipped => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into())).bold()
}
