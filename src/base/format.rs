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

/// Text from the checkout made inert in Markdown (`summary.md`, a pull-request comment):
/// every character Markdown or HTML could read as syntax is escaped, and line breaks are
/// folded, so a folder named `[x](https://evil)` or `<img src=…>` stays text.
pub fn escape_markdown(text: &Shown) -> String {
    let input = text.as_str();
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '"' | '\'' | ':' | '@' | '=' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
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
        assert_eq!(markdown("[x](https://evil)"), "\\[x\\]\\(https\\://evil\\)");
        assert_eq!(markdown("<img src=x>"), "&lt;img src\\=x&gt;");
        assert_eq!(markdown("a|b\nc"), "a\\|b c");
        assert_eq!(markdown("my_crate"), "my\\_crate");
        assert_eq!(markdown("a\u{200B}b"), "a&lt;U\\+200B&gt;b");
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
