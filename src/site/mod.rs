//! The site stage: turns the report into view models, renders them through the theme's
//! Tera templates, and returns the site's files. Nothing here reads the project's files or
//! writes anything.

mod archive_tree;
pub mod card;
mod crate_page;
pub mod guide;
mod index_page;
pub mod review;
pub mod summary;
pub mod theme;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::base::error::Error;
use crate::base::memo::{self, RenderMemo};
use crate::base::shown::Shown;
use crate::preview::CratePreview;
use crate::report::Report;
use crate::workspace::plan::PublishPlan;
use crate_page::{card_data, crate_view};
use index_page::index_view;
use theme::Theme;
use view::{GuideView, PageMeta, TocEntry};

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
    /// Each crate's previews, by name ([`crate::report::CrateReport::key`]).
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
