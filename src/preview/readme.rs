//! The README as crates.io will show it: Markdown rendered with pulldown-cmark (the
//! extension set closest to crates.io's), relative links and images rewritten or removed by
//! crates.io's rules, the HTML sanitized with ammonia, and fenced code highlighted with
//! syntect (plus two-face's extra syntaxes, TOML among them) as CSS classes.

mod highlighting;
mod links;
mod nesting;

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::base::format::escape_html;
use crate::base::shown::Shown;
use links::checked;
use nesting::{html_depth, nesting_depth};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd, html};
use sha2::{Digest, Sha256};

pub(crate) use highlighting::CLASS_STYLE;
pub use highlighting::{highlight, syntaxes};
pub use nesting::MAX_NESTING;

/// crates.io shows READMEs up to this size (they travel in its 1 MiB metadata).
pub const MAX_README: u64 = 1024 * 1024;

/// Where the README's relative links point on crates.io.
pub struct RepoLinks<'a> {
    /// `package.repository`.
    pub repository: Option<&'a str>,
    /// The package folder inside the repository (`path_in_vcs`), `""` at the root.
    pub path_in_repo: &'a str,
}

/// A relative link or image that will not work on crates.io.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BrokenLink {
    pub url: String,
    pub why: std::borrow::Cow<'static, str>,
}

/// The README as crates.io will render it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenderedReadme {
    /// Sanitized HTML, safe to put into a page as it is.
    pub html: String,
    pub broken_links: Vec<BrokenLink>,
}

/// Renders a README file as crates.io does: Markdown for `.md`-like names and names without
/// an extension, plain text otherwise. `exists` tells whether a path, relative to the
/// repository root, exists there (`None`: not known).
pub fn render_file(
    file_name: &str,
    text: &str,
    links: &RepoLinks,
    exists: &dyn Fn(&str) -> Option<bool>,
) -> RenderedReadme {
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    let markdown = match extension.as_deref() {
        None => true,
        Some(ext) => {
            matches!(ext, "md" | "markdown" | "mdown" | "mdwn" | "mkd" | "mkdn" | "mkdown")
        }
    };
    if markdown && nesting_depth(text).max(html_depth(text)) <= MAX_NESTING {
        render_markdown(text, links, exists)
    } else if markdown {
        // Deeply nested quotes or lists cost the HTML parser time that grows much faster
        // than the text: past the limit the README is shown as text, and the page says why.
        let escaped = escape_html(&Shown::new(text)).replace('\n', "<br>\n");
        RenderedReadme {
            html: format!(
                "<p class=\"readme-note\">This README nests quotes or lists more than {MAX_NESTING} levels deep; it is shown as plain text here (crates.io renders it as Markdown).</p>\n<div class=\"readme-text\">{escaped}</div>"
            ),
            broken_links: Vec::new(),
        }
    } else {
        let escaped = escape_html(&Shown::new(text)).replace('\n', "<br>\n");
        RenderedReadme {
            html: format!("<div class=\"readme-text\">{escaped}</div>"),
            broken_links: Vec::new(),
        }
    }
}

fn render_markdown(
    text: &str,
    links: &RepoLinks,
    exists: &dyn Fn(&str) -> Option<bool>,
) -> RenderedReadme {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST;
    // Code blocks are highlighted after sanitizing (the sanitizer keeps no classes): each is
    // replaced by a placeholder that names this README's own hash, so no README can forge one.
    let nonce = crate::base::format::hex(&Sha256::digest(text.as_bytes()))[..16].to_owned();
    let mut blocks: Vec<String> = Vec::new();
    let mut broken = Vec::new();
    let mut kept: Vec<bool> = Vec::new();
    let mut footnotes: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut code: Option<(String, String)> = None;
    let mut events: Vec<Event> = Vec::new();
    let mut anchors = super::anchors::Anchors::default();
    // Where the current heading's anchor goes, and its text so far.
    let mut heading: Option<(usize, String)> = None;
    for event in Parser::new_ext(text, options) {
        if let Some((_, title)) = &mut heading
            && let Event::Text(t) | Event::Code(t) = &event
        {
            title.push_str(t);
        }
        if let Some((lang, body)) = &mut code {
            match event {
                Event::Text(t) => body.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    blocks.push(highlight(lang, &Shown::new(&*body)));
                    events.push(Event::Html(
                        format!("\n<pre>{nonce}-{}</pre>\n", blocks.len() - 1).into(),
                    ));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split(',').next().unwrap_or("").trim().to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            // A heading gets crates.io's anchor: `<a href="#slug" id="slug">`, the id
            // prefixed with `user-content-` by the sanitizer, as crates.io does.
            Event::Start(start @ Tag::Heading { .. }) => {
                events.push(Event::Start(start));
                heading = Some((events.len(), String::new()));
                events.push(Event::Html("".into()));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((at, title)) = heading.take() {
                    let slug = escape_html(&Shown::new(anchors.slug(&title)));
                    events[at] = Event::Html(
                        format!("<a href=\"#user-content-{slug}\" id=\"{slug}\"></a>").into(),
                    );
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            // Links and images crates.io removes lose their tag and keep their text.
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                // `#installation` reaches the heading's prefixed id, as crates.io's page
                // script makes it do there.
                let dest_url = match dest_url.strip_prefix('#') {
                    Some(fragment) if !fragment.starts_with("user-content-") => {
                        format!("#user-content-{fragment}").into()
                    }
                    _ => dest_url,
                };
                let url = checked(&dest_url, links, exists, &mut broken);
                kept.push(url.is_some());
                if let Some(dest_url) = url {
                    events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let url = checked(&dest_url, links, exists, &mut broken);
                kept.push(url.is_some());
                if let Some(dest_url) = url {
                    events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
                }
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                if kept.pop() == Some(true) {
                    events.push(Event::End(end));
                }
            }
            // The sanitizer prefixes ids with `user-content-`, as crates.io does; footnote
            // references point at the prefixed id, numbered in order of first reference.
            Event::FootnoteReference(label) => {
                let next = footnotes.len() + 1;
                let number = *footnotes.entry(label.to_string()).or_insert(next);
                let href = escape_html(&Shown::new(format!("#user-content-{label}")));
                events.push(Event::Html(
                    format!(
                        "<sup class=\"footnote-reference\"><a href=\"{href}\">{number}</a></sup>"
                    )
                    .into(),
                ));
            }
            other => events.push(other),
        }
    }
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    let sanitized = sanitizer().clean(&raw).to_string();
    // One pass puts the highlighted blocks in place of their placeholders, in order.
    let mut html =
        String::with_capacity(sanitized.len() + blocks.iter().map(String::len).sum::<usize>());
    let mut rest = sanitized.as_str();
    for (i, block) in blocks.iter().enumerate() {
        let marker = format!("<pre>{nonce}-{i}</pre>");
        let Some(at) = rest.find(&marker) else { continue };
        html.push_str(&rest[..at]);
        html.push_str(block);
        rest = &rest[at + marker.len()..];
    }
    html.push_str(rest);
    RenderedReadme { html, broken_links: broken }
}

/// ammonia with crates.io's additions to its default allow-list.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(["input", "ol", "picture", "section", "source"])
            .add_generic_attributes(["align"])
            .add_tag_attributes("a", ["id", "aria-label", "target"])
            .add_tag_attributes("input", ["checked", "disabled", "type"])
            .add_tag_attributes("source", ["media", "srcset"])
            .add_tag_attributes("li", ["id"])
            // pulldown-cmark puts a footnote's id on its definition's div (comrak: on an li).
            .add_tag_attributes("div", ["id"])
            .add_allowed_classes("section", ["footnotes"])
            .add_allowed_classes(
                "blockquote",
                [
                    "markdown-alert-note",
                    "markdown-alert-tip",
                    "markdown-alert-important",
                    "markdown-alert-warning",
                    "markdown-alert-caution",
                ],
            )
            .link_rel(Some("nofollow noopener noreferrer"))
            .id_prefix(Some("user-content-"));
        for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
            builder.add_tag_attributes(heading, ["id"]);
        }
        builder
    })
}

/// Relative URLs in a README, distinct, for a report line.
pub fn describe(broken: &[BrokenLink]) -> String {
    let mut seen = HashSet::new();
    broken
        .iter()
        .filter(|b| seen.insert(&b.url))
        .map(|b| format!("{} ({})", b.url, b.why))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(repository: Option<&str>) -> RepoLinks<'_> {
        RepoLinks { repository, path_in_repo: "crates/demo" }
    }

    fn render(markdown: &str, repository: Option<&str>) -> RenderedReadme {
        render_file("README.md", markdown, &links(repository), &|_| Some(true))
    }

    #[test]
    fn deep_nesting_is_shown_as_text() {
        let quotes = format!("{} deep\n", ">".repeat(200));
        let lists: String = (0..200).map(|i| format!("{}- item\n", "  ".repeat(i))).collect();
        let divs = format!("{}x{}", "<div>".repeat(200), "</div>".repeat(200));
        for text in [quotes, lists, divs] {
            assert!(nesting_depth(&text).max(html_depth(&text)) > MAX_NESTING);
            let html = render(&text, None).html;
            assert!(html.contains("readme-note"), "{html}");
            assert!(!html.contains("<blockquote"), "{html}");
        }
        let ordinary = "> a quote\n\n- a\n  - b\n    1. c\n\n```\ncode\n```\n";
        assert!(nesting_depth(ordinary) <= 4);
        let badges = "<p><img src=\"a.svg\"><br><img src=\"b.svg\"/></p>\n".repeat(100);
        assert_eq!(html_depth(&badges), 1, "void elements do not nest");
        assert!(!render(ordinary, None).html.contains("readme-note"));
    }

    #[test]
    fn relative_links_for_each_host() {
        let md =
            "[guide](docs/guide.md) ![logo](img/logo.svg) [top](#usage) [abs](https://x.org/a)";
        for (repo, base) in [
            ("https://github.com/o/r.git", "https://github.com/o/r"),
            ("https://gitlab.com/o/r", "https://gitlab.com/o/r"),
            ("https://bitbucket.org/o/r/", "https://bitbucket.org/o/r"),
        ] {
            let out = render(md, Some(repo));
            assert!(
                out.html.contains(&format!("{base}/blob/HEAD/crates/demo/docs/guide.md")),
                "{}",
                out.html
            );
            assert!(
                out.html
                    .contains(&format!("{base}/raw/HEAD/crates/demo/img/logo.svg?sanitize=true"))
            );
            assert!(
                out.html.contains("href=\"#user-content-usage\""),
                "in-page links reach the prefixed ids"
            );
            assert!(out.broken_links.is_empty());
        }
        let out = render(md, Some("https://git.example.org/o/r"));
        let broken: Vec<&str> = out.broken_links.iter().map(|b| b.url.as_str()).collect();
        assert_eq!(broken, ["docs/guide.md", "img/logo.svg"]);
        assert!(!out.html.contains("docs/guide.md") && out.html.contains("guide"), "{}", out.html);
        assert_eq!(render(md, None).broken_links.len(), 2);
    }

    #[test]
    fn missing_targets_are_reported() {
        let out = render_file(
            "README.md",
            "[a](LICENSE) [b](../../other/x.md) [c](../../../escape.md)",
            &links(Some("https://github.com/o/r")),
            &|path| Some(path == "crates/demo/LICENSE" || path == "other/x.md"),
        );
        let broken: Vec<&str> = out.broken_links.iter().map(|b| b.url.as_str()).collect();
        assert_eq!(broken, ["../../../escape.md"]);
    }

    #[test]
    fn hostile_html_is_inert() {
        let md = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n\n<iframe src=\"https://evil\"></iframe>\n\n<style>body{display:none}</style>\n\n<form action=\"/steal\"><input name=p></form>\n\n<svg><script>alert(4)</script></svg>\n\n<a href=\"data:text/html,<script>alert(5)</script>\">d</a>";
        let html = render(md, None).html.to_ascii_lowercase();
        for needle in
            ["<script", "onerror", "javascript:", "<iframe", "<style", "<form", "data:text"]
        {
            assert!(!html.contains(needle), "{needle} survived: {html}");
        }
    }

    #[test]
    fn code_is_highlighted_and_unknown_languages_escaped() {
        let md = "```rust,ignore\nfn main() {}\n```\n\n```toml\n[package]\nname = \"x\"\n```\n\n```brainfuck\n<script>+</script>\n```\n";
        let html = render(md, None).html;
        assert!(
            html.contains("class=\"language-rust,ignore\"") || html.contains("language-rust"),
            "{html}"
        );
        assert!(html.contains("hl-source hl-rust"), "{html}");
        assert!(html.contains("hl-source hl-toml"), "TOML comes from two-face: {html}");
        assert!(html.contains("&lt;script&gt;+&lt;/script&gt;"), "{html}");
    }

    #[test]
    fn a_forged_placeholder_stays_text() {
        let html = render("<pre>0000000000000000-0</pre>\n\n```rust\nfn x() {}\n```", None).html;
        assert!(html.contains("0000000000000000-0"));
        assert!(html.contains("hl-rust"));
    }

    /// Headings get the ids crates.io gives them (comrak's slugs, `user-content-` first), and
    /// a README's own table of contents reaches them.
    #[test]
    fn headings_get_crates_io_ids_and_the_table_of_contents_reaches_them() {
        let md = "- [Install](#installation)\n- [Build](#building-from-source)\n\n## Installation\n\n## Building *from* `source`!\n\n## Installation\n\n## Ünïcode & Co.\n";
        let html = render(md, None).html;
        for id in ["installation", "building-from-source", "installation-1", "ünïcode--co"] {
            assert!(html.contains(&format!("id=\"user-content-{id}\"")), "{id}: {html}");
        }
        assert!(html.contains("<a href=\"#user-content-installation\" rel=\"nofollow noopener noreferrer\">Install</a>"), "{html}");
        assert!(html.contains("href=\"#user-content-building-from-source\""), "{html}");
        assert!(html.contains("<h2><a href=\"#user-content-installation\" id=\"user-content-installation\" rel=\"nofollow noopener noreferrer\"></a>Installation</h2>"), "{html}");
    }

    #[test]
    fn footnote_links_reach_their_prefixed_ids() {
        let html = render("Text[^note].\n\n[^note]: The note.\n", None).html;
        assert!(html.contains("href=\"#user-content-note\""), "{html}");
        assert!(html.contains("id=\"user-content-note\""), "{html}");
    }

    #[test]
    fn plain_text_readmes_are_escaped() {
        let out = render_file("README.txt", "a <b>\nc", &links(None), &|_| None);
        assert_eq!(out.html, "<div class=\"readme-text\">a &lt;b&gt;<br>\nc</div>");
    }
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;

    #[test]
    fn every_feature_renders_as_expected() {
        let md = r#"# Title

Some *emphasis*, **strong**, ~~struck~~ and `code`. A footnote[^1].

> [!NOTE]
> An alert.

| a | b |
|---|:-:|
| 1 | 2 |

- [x] done
- [ ] todo

Term
: Definition

<details><summary>More</summary>Inline HTML the sanitizer allows.</details>

```sh
cargo add demo-core
```

```json
{"a": [1, true, null]}
```

```yaml
key: value
```

[^1]: The note.
"#;
        let out = render_file(
            "README.md",
            md,
            &RepoLinks { repository: Some("https://github.com/o/r"), path_in_repo: "" },
            &|_| Some(true),
        );
        insta::assert_snapshot!(out.html);
    }
}
