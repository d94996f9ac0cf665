//! The site stage: turns the report into view models, renders them through the theme's
//! Tera templates, and returns the site's files. Nothing here reads the project's files or
//! writes anything.

pub mod card;

pub mod guide;
pub mod review;
pub mod summary;
pub mod theme;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::base::error::Error;
use crate::base::format::{human_size, plural};
use crate::base::memo::{self, RenderMemo};
use crate::base::shown::Shown;
use crate::checks::Severity;
use crate::checks::settings::Level;
use crate::package::{MAX_CRATE_SIZE, Origin};
use crate::preview::CratePreview;
use crate::report::{CheckReport, CrateReport, Report, Status, Verdict};
use crate::workspace::plan::PublishPlan;
use review::Against;
use theme::Theme;
use view::*;

/// The site, as relative path → bytes, sorted.
pub type SiteFiles = BTreeMap<String, Vec<u8>>;

/// What the site stage needs besides the report.
pub struct SiteInput<'a> {
    pub report: &'a Report,
    pub plan: &'a PublishPlan,
    /// Shown in the header and titles.
    pub workspace_name: &'a Shown,
    /// `--base-url`, normalized to end with `/`.
    pub base_url: Option<&'a str>,
    /// `--report-url`: where the report is when it is not served (summary.md links there
    /// and to no page of the site).
    pub report_url: Option<&'a str>,
    /// `--emit-crate`: each crate's `.crate` is written beside its page.
    pub emit_crate: bool,
    /// Each crate's previews, by name ([`CrateReport::key`]).
    pub previews: &'a BTreeMap<String, CratePreview>,
    /// The commit the checkout is at, with its date: the sign-off table names them.
    pub head: Option<&'a crate::review::signoff::Head>,
    /// Pages and cards rendered by earlier runs.
    pub memo: &'a dyn RenderMemo,
    /// Whether `--out` still holds, at a path, the file an earlier run rendered from a memo
    /// key: then it is kept as it is, neither read from the memo nor written again.
    pub unchanged: &'a (dyn Fn(&str, &str) -> bool + Sync),
}

/// The rendered site, and what was rendered anew (by memo key) for later runs to reuse.
pub struct Site {
    pub files: SiteFiles,
    /// Files of the site that `--out` already holds as they are (see [`SiteInput::unchanged`]).
    pub kept: BTreeSet<String>,
    /// The memo key of every memoized file of the site, by path.
    pub keys: BTreeMap<String, String>,
    pub fresh: Vec<(String, Vec<u8>)>,
}

/// Folders shown open in the archive tree when the whole tree has at most this many files.
const OPEN_TREE_FILES: usize = 40;

/// The stack of a thread that renders crate pages. The archive tree's template calls itself
/// once per folder (the listing refuses a crate deeper than
/// [`crate::package::files::MAX_DEPTH`]), about 32 KiB a level in a debug build: more than
/// the 2 MiB of a default thread holds. Only what is used is ever committed.
const RENDER_STACK: usize = 16 << 20;

pub fn render(theme: &Theme, input: &SiteInput) -> Result<Site, Error> {
    let mut files = SiteFiles::new();
    files.insert("report.json".into(), input.report.to_json().into_bytes());
    files.insert("index.html".into(), theme.render("index.html", &index_view(input))?.into_bytes());
    let summary = summary::render(input, |view| theme.render("summary.md", view))?;
    files.insert("summary.md".into(), summary.into_bytes());

    // Each crate's page and card: the most expensive part of a re-run, so each is taken
    // from the memo when its view is unchanged.
    // What every card shares is drawn once, when the first card is.
    let backdrop = std::sync::OnceLock::new();
    let render_pages = || {
        input
            .report
            .crates
            .par_iter()
            .map(|krate| {
                let view = crate_view(input, krate);
                let page =
                    memoized(input, &krate.page, "crate.html", &theme.identity, &view, || {
                        Ok(theme.render("crate.html", &view)?.into_bytes())
                    })?;
                let data = card_data(krate);
                let card_file = krate.card_file();
                let card = memoized(input, &card_file, "card.png", &theme.identity, &data, || {
                    let backdrop = backdrop.get_or_init(|| card::Backdrop::new(&theme.card));
                    card::draw_on(backdrop, &data, &theme.card).map_err(|e| Error::Theme {
                        path: krate.card_file().into(),
                        message: e.to_string(),
                    })
                })?;
                Ok([(krate.page.clone(), page), (card_file, card)])
            })
            .collect::<Result<Vec<[(String, Rendered); 2]>, Error>>()
    };
    let pages = match rayon::ThreadPoolBuilder::new().stack_size(RENDER_STACK).build() {
        Ok(pool) => pool.install(render_pages)?,
        Err(_) => render_pages()?,
    };
    let (mut fresh, mut kept, mut keys) = (Vec::new(), BTreeSet::new(), BTreeMap::new());
    for (path, rendered) in pages.into_iter().flatten() {
        match rendered.bytes {
            None => {
                kept.insert(path.clone());
            }
            Some(bytes) => {
                if rendered.fresh {
                    fresh.push((rendered.key.clone(), bytes.clone()));
                }
                files.insert(path.clone(), bytes);
            }
        }
        keys.insert(path, rendered.key);
    }

    let chapters = guide::chapters();
    for (i, chapter) in chapters.iter().enumerate() {
        let href = chapter.href();
        let view = GuideView {
            page: page_meta(input, &href, Shown::new(&chapter.title), "guide", guide_description()),
            content: guide::render(chapter.markdown()),
            toc: chapters
                .iter()
                .map(|c| TocEntry {
                    title: c.title.clone(),
                    href: c.href(),
                    level: c.level,
                    current: c.source == chapter.source,
                })
                .collect(),
            previous: i.checked_sub(1).map(|j| toc_entry(&chapters[j])),
            next: chapters.get(i + 1).map(toc_entry),
        };
        let html = theme.render("guide.html", &view)?.into_bytes();
        if i == 0 {
            files.insert("guide/index.html".into(), html.clone());
        }
        files.insert(href, html);
    }

    for (name, bytes) in &theme.assets {
        files.insert(format!("assets/{name}"), bytes.clone());
    }
    files.insert(
        "assets/highlight.css".into(),
        crate::preview::contrast::highlight_css().into_bytes(),
    );
    Ok(Site { files, kept, keys, fresh })
}

/// A file kept in `--out` (no bytes), taken from the memo, or rendered now (`fresh`).
struct Rendered {
    key: String,
    bytes: Option<Vec<u8>>,
    fresh: bool,
}

/// The file at `path`, rendered by `what` from `view`, unless `--out` or the memo has it.
fn memoized(
    input: &SiteInput,
    path: &str,
    what: &str,
    theme: &str,
    view: &impl serde::Serialize,
    render: impl FnOnce() -> Result<Vec<u8>, Error>,
) -> Result<Rendered, Error> {
    let key = memo::key(what, theme, view);
    if (input.unchanged)(path, &key) {
        return Ok(Rendered { key, bytes: None, fresh: false });
    }
    match input.memo.get(&key) {
        Some(bytes) => Ok(Rendered { key, bytes: Some(bytes), fresh: false }),
        None => Ok(Rendered { bytes: Some(render()?), key, fresh: true }),
    }
}

/// What the preview card shows. Releases are unknown offline, so they are left out.
fn card_data(krate: &CrateReport) -> card::CardData {
    card::CardData {
        name: krate.name.to_string(),
        version: krate.version.to_string(),
        description: Some(krate.description.to_string()).filter(|d| !d.trim().is_empty()),
        keywords: krate.keywords.iter().map(Shown::to_string).collect(),
        license: krate.license.as_ref().map(Shown::to_string),
        compressed_size: krate.archive.compressed_size,
        lines_of_code: Some(krate.archive.rust_lines).filter(|&n| n > 0),
        // A crate not published yet has no releases to count.
        releases: krate.registry.as_ref().map(|r| r.releases as u64).filter(|&n| n > 0),
        verdict: krate.verdict,
    }
}

fn guide_description() -> Shown {
    Shown::new("How to release a Rust crate safely, and what each cargo-readiness check means.")
}

fn toc_entry(chapter: &guide::Chapter) -> TocEntry {
    TocEntry {
        title: chapter.title.clone(),
        href: chapter.href(),
        level: chapter.level,
        current: false,
    }
}

/// `crates/x/index.html` → `../../`.
fn root_prefix(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

fn page_meta(
    input: &SiteInput,
    page: &str,
    title: Shown,
    section: &str,
    description: Shown,
) -> PageMeta {
    PageMeta {
        title,
        description,
        root: root_prefix(page),
        og_image: None,
        canonical: input.base_url.map(|base| format!("{base}{page}")),
        workspace: input.workspace_name.clone(),
        tool_version: input.report.tool.version.to_owned(),
        section: section.to_owned(),
    }
}

fn counts(krate: &CrateReport) -> Counts {
    let tally = krate.tally();
    Counts { blockers: tally.blockers, warnings: tally.warnings, notes: tally.notes }
}

fn index_view(input: &SiteInput) -> IndexView {
    let report = input.report;
    let mut verdicts = VerdictTally::default();
    for krate in &report.crates {
        match krate.verdict {
            Verdict::Ready => verdicts.ready += 1,
            Verdict::Warnings => verdicts.warnings += 1,
            Verdict::Blocked => verdicts.blocked += 1,
            Verdict::Skipped => verdicts.skipped += 1,
        }
    }
    let by_key: BTreeMap<&str, &CrateReport> = report.crates.iter().map(|c| (c.key(), c)).collect();
    let names = |names: Option<&Vec<String>>| names.into_iter().flatten().map(Shown::new).collect();
    // The plan's order, as in `report.workspace.publish_order`.
    let plan = input.plan;
    let publish_order = plan
        .order
        .iter()
        .chain(&plan.cycle)
        .enumerate()
        .filter_map(|(i, key)| {
            let krate = by_key.get(key.as_str())?;
            Some(OrderStep {
                position: i + 1,
                name: krate.name.clone(),
                version: krate.version.clone(),
                verdict: krate.verdict.as_str().to_owned(),
                needs: names(plan.needs.get(key)),
                needed_by: names(plan.needed_by.get(key)),
                page: krate.page.clone(),
            })
        })
        .collect();
    let title = Shown::new(format!("{}: release readiness", input.workspace_name));
    let description = Shown::new(format!(
        "{}: {} ready, {} with warnings, {} blocked, {} skipped.",
        plural(report.crates.len(), "crate"),
        verdicts.ready,
        verdicts.warnings,
        verdicts.blocked,
        verdicts.skipped
    ));
    IndexView {
        page: page_meta(input, "index.html", title, "index", description),
        verdicts,
        crates: report
            .crates
            .iter()
            .map(|krate| CrateRow {
                name: krate.name.clone(),
                version: krate.version.clone(),
                verdict: krate.verdict.as_str().to_owned(),
                counts: counts(krate),
                description: krate.description.clone(),
                file_count: krate.archive.file_count,
                unpacked_size: human_size(krate.archive.unpacked_size),
                compressed_size: human_size(krate.archive.compressed_size),
                page: krate.page.clone(),
                lowered: lowered_levels(krate),
            })
            .collect(),
        publish_order,
        workspace_checks: workspace_findings(report),
        cycle: plan.cycle.iter().map(Shown::new).collect(),
        registry: report
            .workspace
            .registry
            .as_ref()
            .map(summary::registry_line)
            .unwrap_or_default(),
        publish_time: report.workspace.publish_time.as_ref().map(|estimate| PublishTimeView {
            sentence: estimate.sentence(),
            basis: estimate.basis.to_owned(),
        }),
    }
}

/// Checks whose configured level is below the catalogue's default, whether they fail or not.
fn lowered_levels(krate: &CrateReport) -> Vec<Shown> {
    let rank = |level: Level| match level {
        Level::Allow => 0,
        Level::Note => 1,
        Level::Warning => 2,
        Level::Blocker => 3,
    };
    krate
        .checks
        .iter()
        .filter_map(|check| {
            let o = check.overridden.as_ref()?;
            let default = crate::checks::by_id(check.id)?.severity;
            let default_level = match default {
                Severity::Blocker => Level::Blocker,
                Severity::Warning => Level::Warning,
                Severity::Note => Level::Note,
            };
            (rank(o.level) < rank(default_level)).then(|| {
                let status = if check.status == Status::Fail { "failing" } else { "passing" };
                Shown::new(format!(
                    "{}: {} → {} ({status}), by {}",
                    check.id,
                    default.as_str(),
                    level_name(o.level),
                    o.source
                ))
            })
        })
        .collect()
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Allow => "allow",
        Level::Note => "note",
        Level::Warning => "warning",
        Level::Blocker => "blocker",
    }
}

/// The workspace's own failing checks, then each publishable crate's findings about its
/// workspace dependencies (unpublished members, mismatched requirements), titled with the
/// crate's name.
fn workspace_findings(report: &Report) -> Vec<CheckRow> {
    let own = report.workspace.checks.iter().filter(|c| c.counts()).map(check_row);
    let per_crate = report.crates.iter().filter(|k| k.publish).flat_map(|krate| {
        krate
            .checks
            .iter()
            .filter(|c| c.counts() && WORKSPACE_DEPENDENCY_CHECKS.contains(&c.id))
            .map(move |c| CheckRow {
                title: Shown::new(format!("{}: {}", krate.name, c.title)),
                ..check_row(c)
            })
    });
    own.chain(per_crate).collect()
}

/// Crate checks about dependencies between members, also shown on the overview page.
const WORKSPACE_DEPENDENCY_CHECKS: &[&str] =
    &["dependency-unpublished-member", "dependency-version-mismatch"];

fn check_row(check: &CheckReport) -> CheckRow {
    let allowed = check.status == Status::Fail && !check.counts();
    let override_note = match &check.overridden {
        None => Shown::default(),
        Some(o) if o.level == Level::Allow => Shown::new(format!("Allowed by {}.", o.source)),
        Some(o) => Shown::new(format!("Level set to {} by {}.", check.severity.as_str(), o.source)),
    };
    let (message, output) = check.message.split_first_line();
    CheckRow {
        id: check.id.to_owned(),
        anchor: format!("check-{}", check.id),
        title: Shown::new(check.title),
        severity: check.severity.as_str().to_owned(),
        status: match check.status {
            Status::Pass => "pass",
            Status::Fail if allowed => "allowed",
            Status::Fail => "fail",
            Status::NotChecked => "not-checked",
        }
        .to_owned(),
        message,
        output,
        help: check.help.clone(),
        guide: check.guide.clone(),
        docs: check.docs.to_owned(),
        override_note,
    }
}

fn verdict_summary(krate: &CrateReport) -> String {
    let tally = krate.tally();
    match krate.verdict {
        Verdict::Ready => {
            "Ready to publish: crates.io and cargo would accept it, and no warning applies.".into()
        }
        Verdict::Warnings => format!(
            "Publishable, with {} worth a look before the upload.",
            plural(tally.warnings, "warning")
        ),
        Verdict::Blocked => format!(
            "crates.io or cargo would refuse it: {} to fix first.",
            plural(tally.blockers, "blocker")
        ),
        Verdict::Skipped => "Not published: publish = false in its Cargo.toml.".into(),
    }
}

fn crate_view(input: &SiteInput, krate: &CrateReport) -> CrateView {
    let mut failing: Vec<CheckGroup> = Vec::new();
    let mut sorted: Vec<&CheckReport> = krate.checks.iter().filter(|c| c.counts()).collect();
    sorted.sort_by_key(|c| severity_rank(c.severity));
    // A crate that is never published has nothing to fix before a release: what would fail
    // if it were is folded away, and counts for nothing.
    let not_published: Vec<CheckRow> = match krate.publish {
        true => Vec::new(),
        false => std::mem::take(&mut sorted).into_iter().map(check_row).collect(),
    };
    for check in sorted {
        match failing.iter_mut().find(|g| g.title == check.group) {
            Some(group) => group.checks.push(check_row(check)),
            None => failing
                .push(CheckGroup { title: check.group.to_owned(), checks: vec![check_row(check)] }),
        }
    }
    let (not_checked, passing): (Vec<&CheckReport>, Vec<&CheckReport>) =
        krate.checks.iter().filter(|c| !c.counts()).partition(|c| c.status == Status::NotChecked);
    let passing = passing.into_iter().map(check_row).collect();
    let not_checked = not_checked.into_iter().map(check_row).collect();

    let archive = &krate.archive;
    let share = archive.compressed_size as f64 * 100.0 / MAX_CRATE_SIZE as f64;
    let title = Shown::new(format!("{} {}: release readiness", krate.name, krate.version));
    let description =
        Shown::new(format!("{} {}: {}", krate.name, krate.version, verdict_summary(krate)));
    let mut page = page_meta(input, &krate.page, title, "crate", description);
    page.og_image = Some(match input.base_url {
        Some(base) => format!("{base}{}", krate.card_file()),
        None => format!("{}{}", page.root, krate.card_file()),
    });
    CrateView {
        page,
        card: krate.card_file(),
        name: krate.name.clone(),
        version: krate.version.clone(),
        verdict: krate.verdict.as_str().to_owned(),
        verdict_summary: verdict_summary(krate),
        counts: match krate.publish {
            true => counts(krate),
            false => Counts { blockers: 0, warnings: 0, notes: 0 },
        },
        description: krate.description.clone(),
        manifest_path: krate.manifest_path.clone(),
        fingerprint: krate.fingerprint.clone(),
        checksum: archive.checksum.clone(),
        estimates: archive.estimates.clone(),
        archive: ArchiveView {
            file_count: archive.file_count,
            unpacked_size: human_size(archive.unpacked_size),
            compressed_size: human_size(archive.compressed_size),
            compressed_bytes: archive.compressed_size,
            limit_percent: format!("{share:.1}"),
            limit_bar: share.clamp(0.0, 100.0),
            tree: tree(krate),
            largest: largest(krate),
            selection: match archive.selection {
                "git" => "Selected as cargo does in a git repository: tracked files, and untracked files git does not ignore, minus exclude.".into(),
                _ => "Selected as cargo does without git (or with include): every file below the package, filtered by include or exclude.".into(),
            },
            warnings: archive.warnings.clone(),
            lock_members: archive.lock_members.iter().map(|m| m.summary.clone()).collect(),
        },
        failing,
        not_published,
        passing,
        not_checked,
        inherited: krate.inherited.clone(),
        readme: input.previews.get(krate.key()).and_then(|p| p.readme.as_ref()).map(|r| ReadmeView {
            file: Shown::new(&r.file),
            html: r.rendered.as_ref().map(|x| x.html.clone()).unwrap_or_default(),
            unavailable: match (&r.rendered, r.utf8) {
                (Some(_), _) => String::new(),
                (None, false) => "It is not UTF-8, so it cannot be shown.".into(),
                (None, true) => "It is over 1 MiB, more than crates.io accepts.".into(),
            },
        }),
        manifest: input.previews.get(krate.key()).map(|p| ManifestView {
            original_text: Shown::new(&p.manifest.original),
            published_text: Shown::new(&p.manifest.published),
            changes: p
                .manifest
                .changes
                .iter()
                .map(|c| ManifestChangeRow {
                    key: Shown::new(&c.key),
                    change: Shown::new(&c.change),
                })
                .collect(),
        }),
        crate_file: input.emit_crate.then(|| krate.crate_file()),
        signoff: review::signoff_view(krate, input.head),
        baseline: krate.baseline.as_ref().map(|c| review::changes_view(c, Against::Revision)),
        previous_release: krate.previous_release.as_ref().map(|c| {
            let registry = krate.registry.as_ref().map_or("the registry", |r| r.name.as_str());
            review::changes_view(c, Against::Release(registry))
        }),
        semver: review::semver_view(krate),
        registry: krate.registry.as_ref().map(review::registry_line).unwrap_or_default(),
    }
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Blocker => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }
}

fn largest(krate: &CrateReport) -> Vec<LargeFile> {
    let total = krate.archive.unpacked_size.max(1) as f64;
    let mut files: Vec<_> = krate.archive.files.iter().collect();
    files.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
    files
        .into_iter()
        .take(5)
        .map(|f| LargeFile {
            path: f.path.clone(),
            size_human: human_size(f.size),
            percent: format!("{:.1}", f.size as f64 * 100.0 / total),
        })
        .collect()
}

/// The archive as nested folders, keeping cargo's order (its `PathBuf` order keeps each
/// folder's files together).
fn tree(krate: &CrateReport) -> Vec<TreeNode> {
    let mut root: Vec<TreeNode> = Vec::new();
    for file in &krate.archive.files {
        let parts: Vec<&str> = file.path.split('/').collect();
        let mut level = &mut root;
        for (depth, part) in parts.iter().enumerate() {
            let is_file = depth == parts.len() - 1;
            let reuse = !is_file && level.last().is_some_and(|n| n.is_dir && n.name == *part);
            if !reuse {
                level.push(TreeNode {
                    name: Shown::new(part),
                    path: Shown::new(parts[..=depth].join("/")),
                    is_dir: !is_file,
                    size: 0,
                    size_human: String::new(),
                    origin: origin_name(if is_file { file.origin } else { Origin::Disk })
                        .to_owned(),
                    file_count: 0,
                    flags: Vec::new(),
                    open: false,
                    children: Vec::new(),
                });
            }
            let node = level.last_mut().expect("just pushed or reused");
            node.size += file.size;
            if !is_file {
                node.file_count += 1;
            }
            level = &mut node.children;
        }
    }
    let mut flags: BTreeMap<&Shown, Vec<FileFlag>> = BTreeMap::new();
    for check in krate.checks.iter().filter(|c| c.counts()) {
        for path in &check.files {
            flags.entry(path).or_default().push(FileFlag {
                id: check.id.to_owned(),
                severity: check.severity.as_str().to_owned(),
                anchor: format!("#check-{}", check.id),
            });
        }
    }
    let open = krate.archive.file_count <= OPEN_TREE_FILES;
    finish(&mut root, &flags, open);
    root
}

/// Sets sizes, flags and which folders start open, bottom-up. A folder carries the flags
/// of the files below it (once per check).
fn finish(nodes: &mut [TreeNode], flags: &BTreeMap<&Shown, Vec<FileFlag>>, open: bool) {
    for node in nodes {
        finish(&mut node.children, flags, open);
        node.size_human = human_size(node.size);
        if node.is_dir {
            let mut below: Vec<FileFlag> = Vec::new();
            for flag in node.children.iter().flat_map(|c| &c.flags) {
                if !below.iter().any(|f| f.id == flag.id) {
                    below.push(flag.clone());
                }
            }
            node.flags = below;
            node.open = open || !node.flags.is_empty();
        } else {
            node.flags = flags.get(&node.path).cloned().unwrap_or_default();
        }
    }
}

fn origin_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Disk => "disk",
        Origin::Generated => "generated",
        Origin::Outside => "outside",
    }
}

#[cfg(test)]
mod tests {
    use super::root_prefix;

    #[test]
    fn root_prefixes() {
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(root_prefix("crates/a/index.html"), "../../");
        assert_eq!(root_prefix("guide/checks/archive.html"), "../../");
    }
}
