//! The paths source code writes in its tokens: a module's `#[path = "…"]` (plain or inside
//! `cfg_attr`), an include macro's argument and what it is relative to, and the value of
//! the string literal that holds either.

use proc_macro2::{Literal, TokenStream, TokenTree};

use super::test_code;

/// The paths an attribute gives a module: `path = "…"` (unconditional), or each
/// `path = "…"` inside `cfg_attr(…)` (conditional; none when only tests set its
/// predicate).
pub(super) fn path_values(attribute: &[TokenTree]) -> Vec<(String, bool)> {
    match attribute {
        [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)]
            if name == "path" && eq.as_char() == '=' =>
        {
            string_value(lit).map(|p| (p, false)).into_iter().collect()
        }
        [TokenTree::Ident(cfg_attr), TokenTree::Group(args)] if cfg_attr == "cfg_attr" => {
            let inner: Vec<TokenTree> = args.stream().into_iter().collect();
            if test_code::cfg_attr_never_applies(&inner) {
                return Vec::new();
            }
            inner
                .windows(3)
                .filter_map(|w| match w {
                    [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)]
                        if name == "path" && eq.as_char() == '=' =>
                    {
                        string_value(lit).map(|p| (p, true))
                    }
                    _ => None,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// What an include path is relative to.
pub(super) enum Base {
    /// The including file's folder.
    Source,
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/…")`: the package root.
    ManifestDir,
}

/// The path of `include_str!("…")` or `include_str!(concat!(env!("CARGO_MANIFEST_DIR"),
/// "/…"))`; `None` for anything else (`OUT_DIR`, macro variables).
pub(super) fn include_argument(args: TokenStream) -> Option<(String, Base)> {
    let args: Vec<TokenTree> = args.into_iter().collect();
    match args.as_slice() {
        [TokenTree::Literal(lit), ..] => Some((string_value(lit)?, Base::Source)),
        [TokenTree::Ident(concat), TokenTree::Punct(bang), TokenTree::Group(inner), ..]
            if concat == "concat" && bang.as_char() == '!' =>
        {
            let inner: Vec<TokenTree> = inner.stream().into_iter().collect();
            match inner.as_slice() {
                [
                    TokenTree::Ident(env),
                    TokenTree::Punct(_),
                    TokenTree::Group(var),
                    TokenTree::Punct(_),
                    TokenTree::Literal(rest),
                    ..,
                ] if env == "env" && var.stream().to_string() == "\"CARGO_MANIFEST_DIR\"" => {
                    Some((string_value(rest)?, Base::ManifestDir))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The value of a plain or raw string literal (`"a\\b"`, `r#"a"#`).
fn string_value(lit: &Literal) -> Option<String> {
    let text = lit.to_string();
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw.get(hashes..raw.len() - hashes)?;
        return body.strip_prefix('"')?.strip_suffix('"').map(str::to_owned);
    }
    let body = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next()? {
            'n' => value.push('\n'),
            't' => value.push('\t'),
            '0' => value.push('\0'),
            other => value.push(other), // \\ \" \'
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> Literal {
        match text.parse::<TokenStream>().unwrap().into_iter().next() {
            Some(TokenTree::Literal(lit)) => lit,
            other => panic!("not a literal: {other:?}"),
        }
    }

    #[test]
    fn string_values_are_unescaped_and_raw_strings_read_as_written() {
        assert_eq!(string_value(&literal(r#""a\\b\"c\n""#)).as_deref(), Some("a\\b\"c\n"));
        assert_eq!(string_value(&literal(r###"r#"a\n"b"#"###)).as_deref(), Some("a\\n\"b"));
        assert_eq!(string_value(&literal("b\"bytes\"")), None);
        assert_eq!(string_value(&literal("42")), None);
    }
}
