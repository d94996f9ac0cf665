//! Private-key headers that hold no key: `-----BEGIN PRIVATE KEY-----` followed by a body
//! too short to be any real key (`QQ==`, `...`, `<redacted>`, `MIIE…` cut short), by one
//! character repeated (`xxxx…`, `AAAA…`), or by no body at all (a pattern, a format
//! string, a parser's constant). The scan reports no finding for them; redaction, which
//! does not look at bodies, still hides the header wherever it is shown.
//!
//! Only what is obviously no key is left out: any body of [`MIN_KEY_BODY`] base64
//! characters or more with two different characters is a key, whatever follows it, so
//! appending `...` to a real key does not hide it.

/// The fewest base64 characters the body of a real private key has: the smallest key any
/// tool writes in PEM, an Ed25519 or X25519 key in PKCS#8, is 48 bytes, 64 characters.
const MIN_KEY_BODY: usize = 64;

/// Whether the text after a private-key header (`after`, up to the end of what was read)
/// holds no key. The body is read as a file, a string literal or a comment holds it: base64
/// characters, with line breaks, indentation, quotes, commas, `\n` escapes and comment
/// slashes between them, up to `-----END` or any other character; placeholder characters
/// (`.`, `…`, `<`, `>`, `*`, `[`, `]`) are skipped, not counted.
pub fn holds_no_key(after: &[u8]) -> bool {
    let mut body = 0usize;
    let mut first = None;
    let mut varied = false;
    let mut i = 0;
    while let Some(&byte) = after.get(i) {
        i += 1;
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => {
                body += 1;
                varied |= *first.get_or_insert(byte) != byte;
                if body >= MIN_KEY_BODY && varied {
                    return false;
                }
            }
            // An escape in source text (`\n`, `\r`, `\t`, `\\n`), or a line continuation.
            b'\\' => {
                while after.get(i) == Some(&b'\\') {
                    i += 1;
                }
                match after.get(i) {
                    Some(b'n' | b'r' | b't' | b'\n' | b'\r') => i += 1,
                    _ => break,
                }
            }
            b'=' | b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b',' => {}
            b'.' | b'<' | b'>' | b'*' | b'[' | b']' => {}
            // `…` in UTF-8.
            0xe2 if after.get(i..i + 2) == Some(&[0x80, 0xa6]) => i += 2,
            _ => break,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that looks like a real key: 1,200 varied base64 characters, 64 a line.
    fn real_body(line_end: &str) -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let chars: String = (0..1200u32)
            .map(|i| alphabet[(i.wrapping_mul(2654435761) >> 26) as usize] as char)
            .collect();
        let lines: Vec<&str> =
            chars.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
        lines.join(line_end)
    }

    #[test]
    fn obvious_placeholders_hold_no_key() {
        for after in [
            "\\nQQ==\\n-----END PRIVATE KEY-----\\n\",",
            "\n...\n-----END PRIVATE KEY-----\n",
            "\n<redacted>\n-----END PRIVATE KEY-----\n",
            "\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----\n",
            "\n…\n-----END PRIVATE KEY-----\n",
            &format!("\n{}\n-----END PRIVATE KEY-----\n", "x".repeat(400)),
            &format!("\n{}\n-----END PRIVATE KEY-----\n", "A".repeat(64)),
            "\");\n// click-0.3.2: r\"-----BEGIN PRIVATE KEY-----\"\n",
            "\\n{}\\n-----END PRIVATE KEY-----\", body)",
            "([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----",
            "",
        ] {
            assert!(holds_no_key(after.as_bytes()), "{after:?} holds no key");
        }
    }

    #[test]
    fn anything_that_may_be_a_key_is_one() {
        let body = real_body("\n");
        for after in [
            format!("\n{body}\n-----END PRIVATE KEY-----\n"),
            format!("\\n{}\\n-----END PRIVATE KEY-----\\n", real_body("\\n")),
            format!("\\n\",\n    \"{}\\n\",\n", real_body("\\n\",\n    \"")),
            format!("\n/// {}\n", real_body("\n/// ")),
            // A real key followed by a placeholder is still a key, and so is one whose end
            // the scan did not read.
            format!("\n{body}\n...\n-----END PRIVATE KEY-----\n"),
            format!("\n{}", &body[..70]),
            // Two characters suffice to tell a key from a run.
            format!("\n{}B\n-----END PRIVATE KEY-----\n", "A".repeat(63)),
        ] {
            assert!(!holds_no_key(after.as_bytes()), "{after:?} may hold a key");
        }
    }

    #[test]
    fn the_scan_reports_keys_not_placeholders_and_redaction_hides_both() {
        use crate::base::secrets::{Hit, redact, scan};
        let header = format!("-----BEGIN {}PRIVATE KEY-----", "");
        let placeholder = format!("let k = b\"{header}\\nQQ==\\n-----END PRIVATE KEY-----\\n\";\n");
        assert_eq!(scan(placeholder.as_bytes()).unwrap(), []);
        assert!(!redact(&placeholder).contains(&header), "{}", redact(&placeholder));
        let real = format!("x\n{header}\n{}\n-----END PRIVATE KEY-----\n", real_body("\n"));
        assert_eq!(scan(real.as_bytes()).unwrap(), [Hit { line: 2, kind: "private key" }]);
        let utf16: Vec<u8> = real.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(scan(utf16.as_slice()).unwrap(), [Hit { line: 2, kind: "private key" }]);
    }
}
