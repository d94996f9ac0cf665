//! What looks like a secret: tokens, keys and credentials files. One set of patterns serves
//! the scan of every packaged file (streamed, so files of any size are covered, binary and
//! UTF-16 text included) and the redaction of every text the site shows: a secret the scan
//! finds is never copied into any output.
//!
//! The scan leaves out private-key headers whose body holds no key (the `placeholder`
//! module), and [`test_data`] tells which of its findings look like test data.

use std::borrow::Cow;
use std::io::{self, Read};
use std::path::Path;
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexSet};

mod placeholder;
pub mod test_data;

struct Pattern {
    kind: &'static str,
    regex: Regex,
}

fn patterns() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            ("crates.io API token", r"\bcio[A-Za-z0-9]{32}\b"),
            ("GitHub token", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b"),
            ("GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{82}\b"),
            ("GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20}\b"),
            ("AWS access key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
            (
                "AWS secret access key",
                r#"(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b"#,
            ),
            ("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
            ("Slack token", r"\bxox[baprs]-[0-9A-Za-z\-]{10,}\b"),
            ("Stripe secret key", r"\bsk_live_[0-9A-Za-z]{24,}\b"),
            ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
            (
                "private key",
                r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----",
            ),
        ]
        .into_iter()
        .map(|(kind, re)| Pattern { kind, regex: Regex::new(re).expect("valid secret pattern") })
        .collect()
    })
}

/// A 40-character AWS secret access key standing alone: a secret only next to an access key
/// id (within [`AWS_PAIR_WINDOW`] bytes), where it is one with near certainty.
fn aws_secret() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:^|[^A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)").expect("valid")
    })
}
const AWS_PAIR_WINDOW: usize = 512;

/// One match: its byte range and kind.
struct Found {
    start: usize,
    end: usize,
    kind: &'static str,
}

/// Every secret in `bytes`, ordered by position, overlaps removed.
fn find(bytes: &[u8]) -> Vec<Found> {
    without_overlaps(secrets_in(bytes))
}

/// Credentials written into a URL: the password of `https://user:PASSWORD@host` and the
/// value of a query parameter named like one (`?token=…`, `&api_key=…`, `&sig=…`). Only
/// the credential is redacted, so the URL stays readable. Redacted wherever text is shown,
/// but no finding of the scan: a password in a documentation example is no leak.
fn url_credentials() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            (
                "password in a URL",
                r"(?i)\b(?:https?|git|ssh|ftps?)://[^\s/?#@:\[\]]*:([^\s/?#@\[\]]+)@",
            ),
            (
                "credential in a URL",
                r#"(?i)[?&](?:[a-z0-9_.\-]*(?:token|secret|password|passwd|signature|api[_\-]?key)|key|sig|auth)=([^&#\s"'<>\[\]\\]+)"#,
            ),
        ]
        .into_iter()
        .map(|(kind, re)| Pattern { kind, regex: Regex::new(re).expect("valid URL pattern") })
        .collect()
    })
}

/// Every pattern at once: most text shown holds no secret, and one pass over it says so.
fn any_pattern() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| {
        let all = patterns().iter().chain(url_credentials());
        RegexSet::new(all.map(|p| p.regex.as_str())).expect("valid patterns")
    })
}

/// Every match of the secret patterns, in no order, overlapping.
fn secrets_in(bytes: &[u8]) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for pattern in patterns() {
        for m in pattern.regex.find_iter(bytes) {
            found.push(Found { start: m.start(), end: m.end(), kind: pattern.kind });
            if pattern.kind == "AWS access key" {
                let from = m.start().saturating_sub(AWS_PAIR_WINDOW);
                let to = (m.end() + AWS_PAIR_WINDOW).min(bytes.len());
                for c in aws_secret().captures_iter(&bytes[from..to]) {
                    let key = c.get(1).expect("group 1");
                    let value = key.as_bytes();
                    // Mixed case and a digit or symbol: a key, not a word or a path.
                    let mixed = value.iter().any(u8::is_ascii_lowercase)
                        && value.iter().any(u8::is_ascii_uppercase)
                        && value.iter().any(|b| b.is_ascii_digit() || *b == b'/' || *b == b'+');
                    if mixed {
                        let (start, end) = (from + key.start(), from + key.end());
                        found.push(Found { start, end, kind: "AWS secret access key" });
                    }
                }
            }
        }
    }
    found
}

/// Where the body of a private key whose header ends at `at` ends: past the base64 lines
/// (written out, or with `\n` escapes in a string) and the `-----END …-----` footer. Only
/// ASCII is passed over, so the end is a character boundary.
fn key_body_end(bytes: &[u8], mut at: usize) -> usize {
    loop {
        match bytes[at..] {
            [b, ..] if b.is_ascii_alphanumeric() || b"+/= \t\r\n".contains(&b) => at += 1,
            [b'\\', b'n', ..] => at += 2,
            _ => break,
        }
    }
    if bytes[at..].starts_with(b"-----END") {
        let footer = bytes[at + 8..].windows(5).position(|w| w == b"-----");
        at = footer.map_or(at, |p| at + 8 + p + 5);
    }
    at
}

/// `found` ordered by position, a match inside an earlier one left out.
fn without_overlaps(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut kept: Vec<Found> = Vec::with_capacity(found.len());
    for f in found {
        if kept.last().is_none_or(|last| f.start >= last.end) {
            kept.push(f);
        }
    }
    kept
}

/// `text` with every secret, and every credential in a URL, replaced by
/// `[redacted: <kind>]`. What outputs show goes through [`crate::base::shown::Shown`], which
/// calls this.
pub fn redact(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if !any_pattern().is_match(bytes) {
        return Cow::Borrowed(text);
    }
    let mut found = secrets_in(bytes);
    for pattern in url_credentials() {
        for c in pattern.regex.captures_iter(bytes) {
            let credential = c.get(1).expect("group 1");
            found.push(Found {
                start: credential.start(),
                end: credential.end(),
                kind: pattern.kind,
            });
        }
    }
    // A private key's body is as secret as its header: the lines after it go too.
    for f in found.iter_mut().filter(|f| f.kind == "private key") {
        f.end = key_body_end(bytes, f.end);
    }
    let found = without_overlaps(found);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        // A match is whole characters, so its ends are character boundaries.
        out.push_str(&text[at..f.start]);
        out.push_str(&format!("[redacted: {}]", f.kind));
        at = f.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// A secret found in a file: 1-based line (0: the file's name or the whole file) and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub line: usize,
    pub kind: &'static str,
}

/// Bytes read at once; consecutive chunks overlap by [`OVERLAP`] so that a secret across
/// the seam is still found.
const CHUNK: usize = 1 << 20;
const OVERLAP: usize = 4096;

/// Scans a stream of any size: plain text, text after NULs (binary files), and UTF-16 text
/// (its NULs removed, so ASCII tokens read as ASCII). Lines are counted in the bytes as
/// they are (for UTF-16, in its own line breaks).
pub fn scan(mut reader: impl Read) -> io::Result<Vec<Hit>> {
    let mut hits = Vec::new();
    // `kept` bytes carried over, then a chunk read; grown as bytes arrive (most files are
    // far smaller than a chunk), never filled with zeros first.
    let mut storage: Vec<u8> = Vec::new();
    let mut squeezed: Vec<u8> = Vec::new();
    let mut kept = 0;
    let mut line_at_buffer = 1; // line number at buffer[0]
    loop {
        storage.truncate(kept);
        let n = (&mut reader).take(CHUNK as u64).read_to_end(&mut storage)?;
        let buffer = &storage[..kept + n];
        let last = n < CHUNK;
        // The tail is scanned again with the next chunk: a match starting there is reported
        // then (matches are shorter than the overlap, so one starting before is whole).
        let keep_from = if last { buffer.len() } else { buffer.len() - OVERLAP };
        for f in reported(buffer).filter(|f| f.start < keep_from) {
            let line = line_at_buffer + newlines(&buffer[..f.start]);
            hits.push(Hit { line, kind: f.kind });
        }
        if memchr::memchr(0, buffer).is_some() {
            // UTF-16 or binary: the same bytes without NULs.
            without_nuls(buffer, &mut squeezed);
            for f in reported(&squeezed) {
                let line = line_at_buffer + newlines(&squeezed[..f.start]);
                hits.push(Hit { line, kind: f.kind });
            }
        }
        if last {
            break;
        }
        line_at_buffer += newlines(&buffer[..keep_from]);
        kept = buffer.len() - keep_from;
        storage.copy_within(keep_from..keep_from + kept, 0);
    }
    hits.sort_by_key(|h| h.line);
    hits.dedup();
    Ok(hits)
}

/// What the scan reports of `bytes`: every secret but a private-key header whose body
/// holds no key.
fn reported(bytes: &[u8]) -> impl Iterator<Item = Found> + '_ {
    find(bytes)
        .into_iter()
        .filter(|f| !(f.kind == "private key" && placeholder::holds_no_key(&bytes[f.end..])))
}

fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// `bytes` without its NUL bytes, into `out`.
fn without_nuls(bytes: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut rest = bytes;
    while let Some(at) = memchr::memchr(0, rest) {
        out.extend_from_slice(&rest[..at]);
        let run = rest[at..].iter().position(|&b| b != 0).unwrap_or(rest.len() - at);
        rest = &rest[at + run..];
    }
    out.extend_from_slice(rest);
}

/// Files that hold secrets by their name alone, and names that hold a secret themselves.
pub fn in_name(path: &Path) -> Option<&'static str> {
    if let Some(f) = find(path.as_os_str().as_encoded_bytes()).first() {
        return Some(f.kind);
    }
    let name = path.file_name()?.to_str()?;
    let in_cargo_dir = path.parent().and_then(Path::file_name).is_some_and(|d| d == ".cargo");
    match name {
        ".env" => Some("environment file"),
        n if n.starts_with(".env.")
            && !matches!(n, ".env.example" | ".env.sample" | ".env.template") =>
        {
            Some("environment file")
        }
        "credentials.toml" | "credentials" if in_cargo_dir => Some("cargo registry credentials"),
        ".npmrc" | ".pypirc" | ".netrc" => Some("credentials file"),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" => Some("SSH private key"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Built at run time, so that this source file holds no secret of its own.
    fn github() -> String {
        format!("ghp_{}", "a1B2".repeat(9))
    }

    /// A README's PEM block is shown redacted whole: header, body and footer.
    #[test]
    fn a_private_keys_body_is_redacted_with_its_header() {
        let (begin, end) =
            (format!("-----BEGIN {}KEY-----", "PRIVATE "), "-----END PRIVATE KEY-----");
        let text =
            format!("```text\n{begin}\nMC4CAQAwBQYDK2VwBCIEIBft\nnHPp22Sew+/=\n{end}\n```\n");
        assert_eq!(redact(&text), "```text\n[redacted: private key]\n```\n");
        let escaped = format!("let k = \"{begin}\\nMC4CAQAw\\nBQYD\"; next");
        assert_eq!(redact(&escaped), "let k = \"[redacted: private key]\"; next");
    }

    #[test]
    fn secrets_are_redacted_wherever_they_stand() {
        let text = format!("token = \"{}\" # mine", github());
        assert_eq!(redact(&text), "token = \"[redacted: GitHub token]\" # mine");
        assert_eq!(redact("nothing here"), "nothing here");
        let header = format!("-----BEGIN {} PRIVATE KEY-----", "OPENSSH");
        assert_eq!(redact(&header), "[redacted: private key]");
    }

    /// A token inside a URL, as a password or a query parameter, is found by the scan and
    /// redacted alike; a password of no known shape is redacted too, the URL kept readable.
    #[test]
    fn credentials_in_urls_are_redacted() {
        let cio = format!("cio{}", "Ab3d".repeat(8));
        for token in [github(), cio] {
            for url in [
                format!("https://x:{token}@github.com/o/r"),
                format!("https://example.com/docs?token={token}&page=2"),
            ] {
                assert_eq!(scan(url.as_bytes()).unwrap().len(), 1, "{url}");
                assert!(!redact(&url).contains(&token), "{url}");
            }
        }
        assert_eq!(
            redact("https://ci:hunter2-but-longer@git.example.com/r.git"),
            "https://ci:[redacted: password in a URL]@git.example.com/r.git"
        );
        assert_eq!(
            redact("see https://h.example/x?page=1&api_key=s3cr3t#top"),
            "see https://h.example/x?page=1&api_key=[redacted: credential in a URL]#top"
        );
        assert_eq!(
            redact("https://user@host/a?page=2 and a:b@c"),
            "https://user@host/a?page=2 and a:b@c"
        );
        // Shown text is not redacted again: redaction is stable.
        for text in [
            "https://ci:[redacted: password in a URL]@git.example.com/r.git",
            "https://h.example/x?token=[redacted: credential in a URL]",
        ] {
            assert_eq!(redact(text), text);
        }
        assert!(scan("https://ci:hunter2-but-longer@h/".as_bytes()).unwrap().is_empty());
    }

    #[test]
    fn an_aws_secret_key_is_found_next_to_its_key_id() {
        let id = format!("AKIA{}", "ABCDEFGHIJKLMNOP");
        let secret = format!("wJalrXUtnFEMI/K7MDENG/bPxRfiCY{}", "EXAMPLEKEY");
        let text = format!("[default]\nkey = {id}\nsecret = {secret}\n");
        let redacted = redact(&text);
        assert!(!redacted.contains(&secret), "{redacted}");
        assert!(!redacted.contains(&id), "{redacted}");
        // Alone, a 40-character string is not taken for a key.
        assert_eq!(redact(&format!("hash = {secret}")), format!("hash = {secret}"));
    }

    #[test]
    fn the_scan_streams_binary_utf16_and_large_files() {
        let token = github();
        let mut binary = vec![0u8; 10_000];
        binary.extend(format!("\n{token}\n").bytes());
        assert_eq!(scan(binary.as_slice()).unwrap(), [Hit { line: 2, kind: "GitHub token" }]);

        let utf16: Vec<u8> =
            format!("line one\n{token}\n").encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut with_bom = vec![0xff, 0xfe];
        with_bom.extend(utf16);
        assert_eq!(scan(with_bom.as_slice()).unwrap(), [Hit { line: 2, kind: "GitHub token" }]);

        // Across the seam of two chunks, at the very end, in files over 4 MiB.
        for tail in [3 * CHUNK, 0] {
            let mut large = "x\n".repeat(CHUNK / 2 - 10).into_bytes();
            large.extend(token.bytes());
            large.extend("\n".repeat(tail).bytes());
            let hits = scan(large.as_slice()).unwrap();
            assert_eq!(hits, [Hit { line: CHUNK / 2 - 9, kind: "GitHub token" }]);
        }
        let mut at_end = "filler line\n".repeat(5 * CHUNK / 12).into_bytes();
        at_end.extend(format!("{token}\n").bytes());
        assert_eq!(scan(at_end.as_slice()).unwrap().len(), 1, "a token cut by a chunk's end");
    }

    #[test]
    fn names_give_secrets_away() {
        assert_eq!(in_name(Path::new(".env")), Some("environment file"));
        assert_eq!(in_name(Path::new(".env.example")), None);
        assert_eq!(
            in_name(Path::new(".cargo/credentials.toml")),
            Some("cargo registry credentials")
        );
        assert_eq!(in_name(Path::new("docs/credentials.toml")), None);
        assert_eq!(in_name(Path::new(&format!("notes-{}.txt", github()))), Some("GitHub token"));
    }
}
