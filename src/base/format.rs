//! Small formatting helpers shared by the terminal printer, the summary and the site.

use std::path::Path;

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
pub fn escape_html(input: &str) -> String {
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
/// CR, newlines, …) are shown as `\u{1b}`-style escapes, so a file name can neither move
/// the cursor nor start a new line, and a leading `::` (a GitHub workflow command) is
/// broken up.
pub fn escape_terminal(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
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
pub fn escape_markdown(input: &str) -> String {
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

    #[test]
    fn terminal_text_cannot_steer_the_terminal_or_the_ci_log() {
        assert_eq!(escape_terminal("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape_terminal("x\n::error::pwned"), "x\\u{a}::error::pwned");
        assert_eq!(escape_terminal("::warning file=x::y"), "\\::warning file=x::y");
        assert_eq!(escape_terminal("src/lib.rs"), "src/lib.rs");
    }

    #[test]
    fn markdown_text_stays_text() {
        assert_eq!(escape_markdown("[x](https://evil)"), "\\[x\\]\\(https\\://evil\\)");
        assert_eq!(escape_markdown("<img src=x>"), "&lt;img src\\=x&gt;");
        assert_eq!(escape_markdown("a|b\nc"), "a\\|b c");
        assert_eq!(escape_markdown("my_crate"), "my\\_crate");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(2, "blocker"), "2 blockers");
    }
}

/// `bytes` in lower-case hexadecimal (digests, cache keys).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
