//! Small formatting helpers shared by the terminal printer, the summary and the site, and
//! the escapers of the three destinations text is shown in (HTML, Markdown, a terminal or
//! CI log). Each escaper takes a [`Shown`]: what it escapes has had its secrets redacted
//! and its hidden characters made visible.

use std::path::Path;

use crate::base::shown::Shown;

/// `1536` → `"1.5 KiB"`; bytes below 1 KiB are printed exactly.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The first 12 hex digits of a commit or of a `sha256:` fingerprint.
pub fn short_hash(hash: &str) -> String {
    let hex = hash.strip_prefix("sha256:").unwrap_or(hash);
    hex.chars().take(12).collect()
}

/// A size change with its sign: `+1.5 KiB`, `−54 B`, `±0 B`.
pub fn signed_size(delta: i64) -> String {
    match delta {
        0 => "±0 B".to_owned(),
        d if d > 0 => format!("+{}", human_size(d.unsigned_abs())),
        d => format!("−{}", human_size(d.unsigned_abs())),
    }
}

/// A path as it goes into the report: relative, `/`-separated, lossy for non-UTF-8 names.
pub fn slash_path(path: &Path) -> String {
    let parts: Vec<String> =
        path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

/// `n` with the noun in singular or plural: `plural(1, "file")` → `"1 file"`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Escapes text for HTML element content and quoted attribute values. Unlike Tera's
/// default it leaves `/` alone, so relative links stay readable in the page source.
pub fn escape_html(text: &Shown) -> String {
    let input = text.as_str();
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Text from the checkout made safe for a terminal or a CI log: control characters (ESC,
/// CR, newlines, …) and line separators are shown as `\u{1b}`-style escapes, so a file
/// name can neither move the cursor nor start a new line, and a leading `::` (a GitHub
/// workflow command) is broken up. (Bidirectional controls are already visible in a
/// [`Shown`].)
pub fn escape_terminal(text: &Shown) -> String {
    let input = text.as_str();
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    if out.starts_with("::") {
        out.insert(0, '\\');
    }
    out
}

/// Text from the checkout made inert in Markdown (`summary.md`, a pull-request comment),
/// escaping only what GitHub's Markdown could read as syntax where it stands, so the raw
/// text stays readable (`0.1.0`, `my_crate`, `crates.io: x` are left alone):
/// - always: `\\`, `` ` ``, `*`, `[`, `]`, `|` (a table cell), `~` (strikethrough), `$`
///   (math), `@` (a mention), `<` and `>` (HTML), and `&` before what could be an entity;
/// - `_` unless inside a word (GitHub's intraword rule), `#` before a digit (an issue
///   reference) or first;
/// - first in the text, where a line may start: `-`, `+`, `=`, and `.` or `)` after
///   leading digits and before a space (list items, setext underlines);
///
/// and line breaks and other control characters become spaces, so a folder named
/// `[x](https://evil)` or `<img src=…>` stays text on one line.
pub fn escape_markdown(text: &Shown) -> String {
    let chars: Vec<char> = text.as_str().chars().collect();
    let mut out = String::with_capacity(chars.len() + 8);
    let word = |at: Option<&char>| at.is_some_and(|c| c.is_alphanumeric());
    let mut leading_digits = true;
    for (at, &c) in chars.iter().enumerate() {
        let (before, after) = (at.checked_sub(1).and_then(|i| chars.get(i)), chars.get(at + 1));
        let first = at == 0;
        let escaped = match c {
            '<' => Some("&lt;"),
            '>' => Some("&gt;"),
            '&' if after.is_some_and(|a| a.is_ascii_alphanumeric() || *a == '#') => Some("&amp;"),
            _ => None,
        };
        if let Some(entity) = escaped {
            out.push_str(entity);
        } else if c.is_control() {
            out.push(' ');
        } else {
            let syntax = match c {
                '\\' | '`' | '*' | '[' | ']' | '|' | '~' | '$' | '@' => true,
                '_' => !(word(before) && word(after)),
                '#' => first || after.is_some_and(char::is_ascii_digit),
                '-' | '+' | '=' => first,
                '.' | ')' => leading_digits && !first && after.is_none_or(|a| a.is_whitespace()),
                _ => false,
            };
            if syntax {
                out.push('\\');
            }
            out.push(c);
        }
        leading_digits &= c.is_ascii_digit();
    }
    out
}

/// `bytes` in lower-case hexadecimal (digests, cache keys).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(10 * 1024 * 1024), "10.0 MiB");
    }

    fn terminal(text: &str) -> String {
        escape_terminal(&Shown::new(text))
    }

    fn markdown(text: &str) -> String {
        escape_markdown(&Shown::new(text))
    }

    #[test]
    fn terminal_text_cannot_steer_the_terminal_or_the_ci_log() {
        assert_eq!(terminal("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal("x\n::error::pwned"), "x\\u{a}::error::pwned");
        assert_eq!(terminal("::warning file=x::y"), "\\::warning file=x::y");
        assert_eq!(terminal("a\u{2028}b"), "a\\u{2028}b");
        assert_eq!(terminal("src/lib.rs"), "src/lib.rs");
        assert_eq!(terminal("abc\u{202E}fdp.exe"), "abc<U+202E>fdp.exe");
    }

    #[test]
    fn markdown_text_stays_text() {
        assert_eq!(markdown("[x](https://evil)"), "\\[x\\](https://evil)");
        assert_eq!(markdown("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(markdown("a|b\nc"), "a\\|b c");
        assert_eq!(markdown("a\u{200B}b"), "a&lt;U+200B&gt;b");
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("1. item"), "1\\. item");
        assert_eq!(markdown("# title, #12"), "\\# title, \\#12");
        assert_eq!(
            markdown("_x_ *y* ~z~ `c` $m$ @who"),
            "\\_x\\_ \\*y\\* \\~z\\~ \\`c\\` \\$m\\$ \\@who"
        );
        assert_eq!(markdown("&amp; & x"), "&amp;amp; & x");
    }

    /// What needs no escaping is left as it is: versions, names, sentences.
    #[test]
    fn markdown_escapes_only_what_markdown_reads() {
        for plain in
            ["0.1.0", "demo-cli", "my_crate", "crates.io: \"x\" (did you mean y?).", "1.2 KiB"]
        {
            assert_eq!(markdown(plain), plain);
        }
    }

    proptest::proptest! {
        /// Whatever the text, GitHub-flavoured Markdown (as pulldown-cmark reads it, with
        /// tables, strikethrough and math) shows it as plain text, on one line, in a list
        /// item, in a table cell and at the start of a line: no link, image, HTML,
        /// emphasis, code, heading or list, and nothing lost.
        #[test]
        fn escaped_markdown_renders_as_the_text_itself(text in "[ -~\\n\u{e9}\u{2028}]{0,40}") {
            let text = text.trim_start();
            let shown: String = Shown::new(text)
                .as_str()
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let escaped = markdown(text);
            for (document, expected) in [
                (format!("- x {escaped}\n"), format!("x {shown}")),
                (format!("| a |\n| --- |\n| x {escaped} |\n"), format!("ax {shown}")),
                (format!("{escaped}\n"), shown.clone()),
            ] {
                proptest::prop_assert_eq!(
                    plain_text(&document),
                    Some(expected.trim().to_owned()),
                    "{:?}",
                    document
                );
            }
        }
    }

    /// The text of a Markdown document, or `None` when it holds anything but text in
    /// paragraphs, list items and table cells.
    fn plain_text(document: &str) -> Option<String> {
        use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH;
        let mut text = String::new();
        for event in Parser::new_ext(document, options) {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::Start(
                    Tag::Paragraph
                    | Tag::List(_)
                    | Tag::Item
                    | Tag::Table(_)
                    | Tag::TableHead
                    | Tag::TableRow
                    | Tag::TableCell,
                )
                | Event::End(
                    TagEnd::Paragraph
                    | TagEnd::List(_)
                    | TagEnd::Item
                    | TagEnd::Table
                    | TagEnd::TableHead
                    | TagEnd::TableRow
                    | TagEnd::TableCell,
                ) => {}
                _ => return None,
            }
        }
        Some(text.trim().to_owned())
    }

    #[test]
    fn html_text_stays_text() {
        let html = |text: &str| escape_html(&Shown::new(text));
        assert_eq!(html("<a href='x'>&</a>"), "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;");
        assert_eq!(html("a\u{2066}b"), "a&lt;U+2066&gt;b");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(2, "blocker"), "2 blockers");
    }
}
