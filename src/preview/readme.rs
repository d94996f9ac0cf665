//! The README as crates.io will show it: Markdown rendered with pulldown-cmark (the
//! extension set closest to crates.io's), relative links and images rewritten or removed by
//! crates.io's rules, the HTML sanitized with ammonia, and fenced code highlighted with
//! syntect (plus two-face's extra syntaxes, TOML among them) as CSS classes.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::base::format::escape_html;
use crate::base::shown::Shown;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd, html};
use sha2::{Digest, Sha256};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// crates.io shows READMEs up to this size (they travel in its 1 MiB metadata).
pub const MAX_README: u64 = 1024 * 1024;

pub(super) const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The syntax set, loaded once per run and shared by every thread.
pub fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

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

/// The deepest nesting of block quotes and lists the README may have to be rendered as
/// Markdown; deeper, it is shown as text (rendering time then stays linear in its size).
pub const MAX_NESTING: usize = 32;

/// The deepest container nesting any line opens, read from its prefix alone (one pass,
/// linear): each `>`, each list marker, and each two columns of indentation count one.
fn nesting_depth(text: &str) -> usize {
    let mut deepest = 0;
    for line in text.lines() {
        let bytes = line.as_bytes();
        let (mut depth, mut columns, mut i) = (0, 0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b' ' => columns += 1,
                b'\t' => columns += 4,
                b'>' => depth += 1,
                b'-' | b'*' | b'+' if bytes.get(i + 1).is_some_and(|b| *b == b' ') => depth += 1,
                b'0'..=b'9' => {
                    let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                    match bytes.get(i + digits) {
                        Some(b'.' | b')') => {
                            depth += 1;
                            i += digits;
                        }
                        _ => break,
                    }
                }
                _ => break,
            }
            i += 1;
        }
        deepest = deepest.max(depth + columns / 2);
    }
    deepest
}

/// The deepest nesting of raw HTML elements (`<div><div>…`), counted in one pass: an
/// opening tag that is not void nor self-closing adds one, a closing tag removes one.
fn html_depth(text: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let bytes = text.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        i += offset + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let name_len = bytes[start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = text[start..start + name_len].to_ascii_lowercase();
        let end = bytes[start..].iter().position(|&b| b == b'>').map(|p| start + p);
        let self_closing = end.is_some_and(|e| e > 0 && bytes[e - 1] == b'/');
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing && !VOID.contains(&name.as_str()) {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// What becomes of a relative URL on crates.io.
enum Rewrite {
    Keep,
    To(String),
    Removed(&'static str),
}

const MEDIA: &[&str] = &["svg", "png", "jpg", "jpeg", "gif", "mp4", "webm", "ogg", "webp"];

fn rewrite(url: &str, links: &RepoLinks) -> Rewrite {
    if url.is_empty()
        || url.starts_with('#')
        || url::Url::parse(url).is_ok()
        || url.starts_with("//")
    {
        return Rewrite::Keep;
    }
    if url.starts_with("::") {
        return Rewrite::Removed("a rustdoc path, which crates.io removes");
    }
    let Some(base) = links.repository.and_then(supported_repository) else {
        return Rewrite::Removed(
            "relative, and crates.io rewrites relative links only for GitHub, GitLab or Bitbucket repositories",
        );
    };
    let path = url.trim_start_matches('/');
    let prefix = if links.path_in_repo.is_empty() {
        String::new()
    } else {
        format!("{}/", links.path_in_repo)
    };
    let extension = path
        .split(['?', '#'])
        .next()
        .unwrap_or(path)
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some(ext) if MEDIA.contains(&ext) => {
            let sanitize = if ext == "svg" { "?sanitize=true" } else { "" };
            Rewrite::To(format!("{base}/raw/HEAD/{prefix}{path}{sanitize}"))
        }
        _ => Rewrite::To(format!("{base}/blob/HEAD/{prefix}{path}")),
    }
}

/// `https://github.com/owner/repo(.git)` → `https://github.com/owner/repo`, for the hosts
/// crates.io rewrites links for.
fn supported_repository(repository: &str) -> Option<String> {
    let url = url::Url::parse(repository).ok()?;
    let host = url.host_str()?;
    if !matches!(host, "github.com" | "gitlab.com" | "bitbucket.org") {
        return None;
    }
    let trimmed = repository.trim_end_matches('/');
    Some(trimmed.strip_suffix(".git").unwrap_or(trimmed).to_owned())
}

/// The repository path a relative URL points at (for the existence check).
fn repository_path(url: &str, links: &RepoLinks) -> Option<String> {
    let path = url.trim_start_matches('/').split(['?', '#']).next()?;
    let joined = if links.path_in_repo.is_empty() {
        path.to_owned()
    } else {
        format!("{}/{path}", links.path_in_repo)
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
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

/// The URL crates.io will use, or `None` when it removes the link; records what breaks.
fn checked<'a>(
    url: &CowStr<'a>,
    links: &RepoLinks,
    exists: &dyn Fn(&str) -> Option<bool>,
    broken: &mut Vec<BrokenLink>,
) -> Option<CowStr<'a>> {
    match rewrite(url, links) {
        Rewrite::Keep => Some(url.clone()),
        Rewrite::Removed(why) => {
            broken.push(BrokenLink { url: url.to_string(), why: why.into() });
            None
        }
        Rewrite::To(rewritten) => {
            let missing =
                repository_path(url, links).is_none_or(|path| exists(&path) == Some(false));
            if missing {
                broken
                    .push(BrokenLink { url: url.to_string(), why: "not in the repository".into() });
            }
            Some(rewritten.into())
        }
    }
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

/// A fenced code block as highlighted HTML (escaped by syntect), or plain escaped code for
/// a language syntect does not know. Code is shown with its hidden characters visible: a
/// bidirectional control must not reorder what a reviewer reads.
pub fn highlight(lang: &str, code: &Shown) -> String {
    let syntaxes = syntaxes();
    let token = lang.to_ascii_lowercase();
    let token = match token.as_str() {
        "console" | "shell" | "shell-session" => "sh",
        "yml" => "yaml",
        other => other,
    };
    let syntax = (!token.is_empty()).then(|| syntaxes.find_syntax_by_token(token)).flatten();
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape_html(&Shown::new(lang)))
    };
    let Some(syntax) = syntax else {
        return format!("<pre><code{class}>{}</code></pre>", escape_html(code));
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre><code{class}>{}</code></pre>", escape_html(code));
        }
    }
    let mut out = String::new();
    let _ =
        // Focusable, so that a keyboard scrolls a block wider than the page.
        write!(out, "<pre class=\"highlight\" tabindex=\"0\"><code{class}>{}</code></pre>", generator.finalize());
    out
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
