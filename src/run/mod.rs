//! One run, stage by stage, each a function from the previous stage's product to its own:
//! load (the workspace, its settings, sign-offs and output folder) → ask the registry →
//! package, build and check each crate ([`crates`]) → review ([`review`]: registry facts,
//! sign-offs, comparisons) → assemble the report → render the site → write it → print.

mod crates;
mod print;
mod review;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crate::base::cache::Caches;
use crate::base::error::Error;
use crate::base::format::escape_terminal;
use crate::base::shown::Shown;
use crate::checks::settings::Settings;
use crate::checks::{self, WorkspaceSubject};
use crate::cli::{Cli, MessageFormat};
use crate::output::Target;
use crate::registry::{Facts, Registry, State};
use crate::report::{CrateReport, Report, Verdict};
use crate::review::baseline;
use crate::review::signoff::standing::Judge;
use crate::site::{self, SiteInput, theme::Theme};
use crate::workspace::plan::{self, PublishPlan};
use crate::workspace::{Member, Workspace};
use crate::{output, registry};

use crates::{CrateChecked, Stages};

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

/// The load stage's product: the workspace and everything read before any crate is
/// packaged. Bad input stops the run here, before anything is written.
struct Loaded {
    caches: Caches,
    workspace: Workspace,
    out: Target,
    base_url: Option<String>,
    report_url: Option<String>,
    step_summary: Option<PathBuf>,
    theme: Theme,
    settings: Settings,
    /// Each crate's sign-off rows, judged against the allowed signers and the policy.
    signoffs: Judge,
    baseline: Option<baseline::Spec>,
}

fn load(cli: &Cli) -> Result<Loaded, Error> {
    let caches = Caches::open(crate::base::cache::root(cli.cache_dir.as_deref()).as_deref());
    let workspace = Workspace::load(cli.manifest_path.as_deref(), &caches.declarations)?;
    // The selection is checked here; it is made again from the workspace when needed.
    workspace.select(&cli.packages, &cli.exclude)?;
    let out = cli.out.clone().unwrap_or_else(|| workspace.target_dir.join("readiness"));
    let out = output::validate(&out, &output::Checkout::of(&workspace), &caches, cli.force)?;
    let base_url = cli.base_url.as_deref().map(normalize_base_url).transpose()?;
    let report_url = cli.report_url.as_deref().map(normalize_report_url).transpose()?;
    let step_summary = cli.step_summary.then(step_summary_file).transpose()?;
    let theme = Theme::load(cli.theme.as_deref())?;
    let settings = Settings::load(&workspace)?;
    let baseline =
        cli.baseline.as_deref().map(|text| baseline::Spec::parse(text, &workspace)).transpose()?;
    let mut signoffs = crate::review::signoff::trust::judge(&cli.trust, &workspace)?;
    if let Some(spec) = &baseline {
        signoffs = signoffs.with_baseline(&workspace, spec);
    }
    Ok(Loaded {
        caches,
        workspace,
        out,
        base_url,
        report_url,
        step_summary,
        theme,
        settings,
        signoffs,
        baseline,
    })
}

/// The registry stage: with `--online` (or a registry named), what it holds of the
/// selected crates. Never fails the run: an unreachable registry is a state.
fn ask_registry<'l>(
    cli: &Cli,
    loaded: &'l Loaded,
    selected: &[&Member],
) -> Result<(Option<Registry<'l>>, Facts), Error> {
    let Some(source) = registry::source::for_cli(cli, cli.online)? else {
        return Ok((None, Facts::off()));
    };
    let (registry, facts) =
        registry::ask(source, &loaded.caches.registry, &loaded.workspace, selected);
    if let Some(registry) = &registry {
        registry::learn_lock_index(registry, &loaded.workspace);
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
    Ok((registry, facts))
}

/// The assembly: each crate's report from its checks and its review, and the workspace's.
fn assemble(
    workspace: &Workspace,
    settings: &Settings,
    facts: &Facts,
    selected: &[&Member],
    checked: Vec<CrateChecked>,
    mut reviews: BTreeMap<String, crate::report::CrateReview>,
) -> (Report, PublishPlan, Parts) {
    let mut parts = Parts::default();
    let mut crates = Vec::with_capacity(checked.len());
    for c in checked {
        let review = reviews.remove(c.member.name()).unwrap_or_default();
        let report = CrateReport::new(c.member, c.checked, review);
        parts.previews.insert(report.key().to_owned(), c.preview);
        parts.rendered.extend(c.rendered);
        parts.cached.extend(c.cached);
        parts.emitted.extend(c.emitted.map(|bytes| (report.crate_file(), bytes)));
        crates.push(report);
    }
    let publishable: Vec<String> =
        selected.iter().filter(|m| m.publish).map(|m| m.name().to_owned()).collect();
    let plan = plan::plan(&publishable, &workspace.member_edges());
    let findings =
        checks::run_workspace(&WorkspaceSubject { workspace, selected, plan: &plan }, settings);
    let review = review::review_workspace(facts, &plan, workspace);
    (Report::new(crates, &plan, &findings, review), plan, parts)
}

/// What the crates' stages made beside their reports: for the site and the caches.
#[derive(Default)]
struct Parts {
    previews: BTreeMap<String, crate::preview::CratePreview>,
    rendered: Vec<(String, Vec<u8>)>,
    cached: Vec<(String, crate::package::CachedArchive)>,
    /// `--emit-crate`: each archive's site path and bytes.
    emitted: Vec<(String, Vec<u8>)>,
}

pub fn run(cli: &Cli) -> Result<Outcome, Error> {
    let started = Instant::now();
    let loaded = load(cli)?;
    let Loaded { caches, workspace, settings, .. } = &loaded;
    let selected = workspace.select(&cli.packages, &cli.exclude)?;
    let load_took = started.elapsed();

    let (registry, facts) = ask_registry(cli, &loaded, &selected)?;
    let looked_up = registry.as_ref().map_or(0, Registry::requests);
    let ask_took = started.elapsed() - load_took;

    let builder = match cli.build {
        true => Some(
            crate::build::Builder::new(caches.builds(), !cli.online, &caches.verdicts)
                .map(|v| v.documenting_with(std::env::current_exe().ok()))
                .map(|v| {
                    v.comparing_apis(crate::build::api::SemverChecks::find(
                        workspace.confinement.root(),
                    ))
                })
                .map_err(|e| Error::io("a folder for --build", e))?,
        ),
        false => None,
    };
    let deflated = crate::package::archive::DeflatedSizes::new(&caches.archives);
    let stages = Stages {
        cli,
        workspace,
        settings,
        caches,
        registry: &facts,
        builder: builder.as_ref(),
        deflated: &deflated,
    };
    let progress = print::progress_bar(cli, selected.len());
    let mut checked = crates::check_all(&stages, &selected, &progress);
    progress.finish_and_clear();
    let check_took = started.elapsed() - load_took - ask_took;

    let reviewed = review::review_crates(
        &review::Inputs {
            workspace,
            settings,
            caches,
            facts: &facts,
            registry: registry.as_ref(),
            signoffs: &loaded.signoffs,
            baseline: loaded.baseline.as_ref(),
            builder: builder.as_ref(),
            quiet: cli.quiet,
        },
        &mut checked,
    );
    let downloaded = registry.as_ref().map_or(0, Registry::requests) - looked_up;

    let rendering = Instant::now();
    let (report, plan, parts) =
        assemble(workspace, settings, &facts, &selected, checked, reviewed.crates);
    let head = crate::review::signoff::head(workspace.confinement.root());
    let out = &loaded.out;
    let site = site::render(
        &loaded.theme,
        &SiteInput {
            report: &report,
            plan: &plan,
            workspace_name: &Shown::new(workspace.name()),
            base_url: loaded.base_url.as_deref(),
            report_url: loaded.report_url.as_deref(),
            emit_crate: cli.emit_crate,
            head: head.as_ref(),
            previews: &parts.previews,
            memo: &caches.render,
            unchanged: &|rel, key| out.unchanged(rel, key),
        },
    )?;
    let mut files = site.files;
    let summary = String::from_utf8_lossy(&files["summary.md"]).into_owned();
    let report_json = files["report.json"].clone();
    files.extend(parts.emitted);
    output::write(out, &files, &site.kept)?;
    out.record(&site.keys);
    // Only new entries are written: an archive already cached was read from there.
    let mut archive_entries = crate::package::archive_entries(parts.cached);
    archive_entries.extend(deflated.fresh());
    caches.archives.store(&archive_entries);
    let mut rendered = parts.rendered;
    rendered.extend(site.fresh);
    caches.render.store(&rendered);
    caches.registry.sweep();
    let write_took = rendering.elapsed();

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
    if let Some(path) = &loaded.step_summary {
        append_step_summary(path, &outcome.summary)?;
    }
    if !cli.quiet {
        print::print(
            cli,
            &outcome,
            &[
                ("load", load_took),
                (&format!("ask the registry ({looked_up} requests)"), ask_took),
                ("package and check", check_took),
                (
                    &format!("compare with previous releases ({downloaded} requests)"),
                    reviewed.previous_took,
                ),
                ("compare with the baseline", reviewed.baseline_took),
                ("check the version numbers", reviewed.semver_took),
                ("render and write", write_took),
            ],
        );
    }
    Ok(outcome)
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
    let url = checked_url(text, "--base-url")?;
    Ok(if url.ends_with('/') { url } else { format!("{url}/") })
}

/// `--report-url`: the same rules as `--base-url`; a page, so it may have a query.
fn normalize_report_url(text: &str) -> Result<String, Error> {
    checked_url(text, "--report-url")
}

/// An absolute `https://` URL with a host (`http://` only for this machine), without a
/// fragment, nor a query for `--base-url` (every link is appended to it).
fn checked_url(text: &str, flag: &'static str) -> Result<String, Error> {
    let problem = |problem: &str| Error::BaseUrl {
        flag,
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
    if url.fragment().is_some() {
        return Err(problem("must not have a fragment"));
    }
    if flag == "--base-url" && url.query().is_some() {
        return Err(problem("must not have a query"));
    }
    Ok(url.to_string())
}
