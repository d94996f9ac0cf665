//! How deep a README nests block quotes, lists and raw HTML elements, each read in one
//! linear pass.

/// The deepest nesting of block quotes and lists the README may have to be rendered as
/// Markdown; deeper, it is shown as text (rendering time then stays linear in its size).
pub const MAX_NESTING: usize = 32;

/// The deepest container nesting any line opens, read from its prefix alone (one pass,
/// linear): each `>`, each list marker, and each two columns of indentation count one.
pub(super) fn nesting_depth(text: &str) -> usize {
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
pub(super) fn html_depth(text: &str) -> usize {
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
