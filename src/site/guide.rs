//! The publishing guide: `content/` in mdBook's layout (`SUMMARY.md` lists the chapters),
//! embedded in the binary and rendered with pulldown-cmark into `<out>/guide/`.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

use super::theme::GUIDE;

/// One chapter of the guide, in `SUMMARY.md` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub title: String,
    /// The Markdown source, relative to `content/` (e.g. `checks/metadata.md`).
    pub source: String,
    /// Nesting level in `SUMMARY.md`, 0 for top-level chapters.
    pub level: usize,
}

impl Chapter {
    /// Where the chapter is written, relative to the site root.
    pub fn href(&self) -> String {
        format!("guide/{}", html_path(&self.source))
    }

    pub fn markdown(&self) -> &'static str {
        embedded(&self.source).unwrap_or_default()
    }
}

fn embedded(name: &str) -> Option<&'static str> {
    GUIDE.iter().find(|(n, _)| *n == name).and_then(|(_, bytes)| std::str::from_utf8(bytes).ok())
}

/// The chapters listed in the embedded `SUMMARY.md`.
pub fn chapters() -> Vec<Chapter> {
    parse_summary(embedded("SUMMARY.md").unwrap_or_default())
}

/// Parses mdBook's `SUMMARY.md`: every `[Title](file.md)` link, nested by list indentation.
pub fn parse_summary(summary: &str) -> Vec<Chapter> {
    let mut chapters = Vec::new();
    for line in summary.lines() {
        let indent = line.len() - line.trim_start().len();
        let item = line.trim_start().trim_start_matches(['-', '*']).trim_start();
        let Some(rest) = item.strip_prefix('[') else {
            continue;
        };
        let Some((title, rest)) = rest.split_once("](") else {
            continue;
        };
        let Some((source, _)) = rest.split_once(')') else {
            continue;
        };
        if source.is_empty() {
            continue;
        }
        chapters.push(Chapter {
            title: title.to_owned(),
            source: source.trim_start_matches("./").to_owned(),
            level: indent / 2,
        });
    }
    chapters
}

/// `checks/metadata.md#x` → `checks/metadata.html#x`.
fn html_path(link: &str) -> String {
    let (path, anchor) = match link.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (link, None),
    };
    let path = path.strip_suffix(".md").map_or(path.to_owned(), |stem| format!("{stem}.html"));
    match anchor {
        Some(anchor) => format!("{path}#{anchor}"),
        None => path,
    }
}

/// Renders a chapter's Markdown to HTML, with links to other chapters pointing at their
/// rendered pages.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut events: Vec<Event> = Parser::new_ext(markdown, options)
        .map(|event| match event {
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let local = !dest_url.contains("://") && !dest_url.starts_with('#');
                let dest_url = if local { CowStr::from(html_path(&dest_url)) } else { dest_url };
                Event::Start(Tag::Link { link_type, dest_url, title, id })
            }
            other => other,
        })
        .collect();
    // Headings without an explicit `{#id}` get mdBook's id, so links work in both.
    for i in 0..events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let text: String = events[i + 1..]
                .iter()
                .take_while(|e| !matches!(e, Event::End(_)))
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(heading_id(&text)));
            }
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

/// mdBook's heading ids: lowercase, spaces to `-`, only letters, digits, `-` and `_` kept.
fn heading_id(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The `id` attributes of the headings of a chapter (`## Title {#id}`).
pub fn anchors(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, Options::ENABLE_HEADING_ATTRIBUTES)
        .filter_map(|event| match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_parsed_with_nesting() {
        let chapters = parse_summary(
            "# Summary\n\n[Introduction](introduction.md)\n\n- [Checks](checks/index.md)\n  - [Metadata](checks/metadata.md)\n",
        );
        let levels: Vec<(&str, usize)> =
            chapters.iter().map(|c| (c.source.as_str(), c.level)).collect();
        assert_eq!(
            levels,
            [("introduction.md", 0), ("checks/index.md", 0), ("checks/metadata.md", 1)]
        );
        assert_eq!(chapters[2].href(), "guide/checks/metadata.html");
    }

    #[test]
    fn chapter_links_point_at_pages() {
        let html = render("[m](checks/metadata.md#description-missing) [x](https://x.org/a.md)");
        assert!(html.contains("href=\"checks/metadata.html#description-missing\""), "{html}");
        assert!(html.contains("href=\"https://x.org/a.md\""), "{html}");
    }

    #[test]
    fn headings_get_mdbooks_ids() {
        assert!(render("## Configuring checks").contains("id=\"configuring-checks\""));
        assert!(render("## `cargo yank`, not deleting").contains("id=\"cargo-yank-not-deleting\""));
    }

    #[test]
    fn heading_ids_are_kept() {
        assert_eq!(anchors("## No description {#description-missing}\n"), ["description-missing"]);
        assert!(render("## T {#an-id}").contains("id=\"an-id\""));
    }
}
