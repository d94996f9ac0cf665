//! Code that `cargo publish`'s verification does not compile. Verification (like any build
//! of the crate as a dependency) never sets `test` or `doctest`: code under a `cfg` that
//! they decide is never compiled by any build of the published crate. A custom `cfg` name
//! (one rustc does not know, such as `bench`, `docsrs` or `tokio_unstable`) is set only
//! by `--cfg` in `RUSTFLAGS` or by the crate's build script: code under one that the build
//! script does not name is compiled by some builds, but not by verification; code under
//! one it names only while it does not set it (`not(name)`) is taken as compiled by some
//! builds, but not by verification, too. Verification builds the crate's default features:
//! code under a `feature = "…"` that `default` does not enable is compiled by some builds,
//! not by verification. Everything else (`unix`, `target_os`, `debug_assertions`) may be
//! set by the build that verifies or uses the crate.
//!
//! Works on proc-macro2 tokens: [`judge`] reads a `cfg(…)` attribute, and [`item_end`]
//! finds where the item, statement, field, variant, match arm or element that such an
//! attribute applies to ends.

use std::collections::BTreeSet;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Predicates nested deeper than this are not read (taken as "may be set"): evaluation
/// recurses once per level.
const MAX_PREDICATE_DEPTH: usize = 32;

/// The `cfg` names rustc knows (`rustc --print check-cfg`), besides `test`, `doctest` and
/// those starting with `target_` or `sanitize`: set by the target, the profile or a tool.
const WELL_KNOWN: &[&str] = &[
    "clippy",
    "contract_checks",
    "debug_assertions",
    "doc",
    "emscripten_wasm_eh",
    "feature",
    "fmt_debug",
    "miri",
    "overflow_checks",
    "panic",
    "proc_macro",
    "relocation_model",
    "rustfmt",
    "ub_checks",
    "unix",
    "windows",
];

/// Whether `name` is a custom `cfg`: one that only `--cfg` or a build script sets.
fn is_custom(name: &str) -> bool {
    !(WELL_KNOWN.contains(&name)
        || name.starts_with("target_")
        || name.starts_with("sanitize")
        || matches!(name, "test" | "doctest" | "true" | "false"))
}

/// The custom `cfg` names the crate's build script may set: those it prints as
/// `cargo:rustc-cfg=name` (or `cargo::`), or any when it computes them (a name that is not
/// written out, `autocfg`, `cfg_aliases`).
#[derive(Debug)]
pub struct BuildCfgs {
    named: BTreeSet<String>,
    any: bool,
    /// The features verification builds with (`default`, and all it enables), when known.
    default_features: Option<BTreeSet<String>>,
}

impl BuildCfgs {
    pub const fn new() -> BuildCfgs {
        BuildCfgs { named: BTreeSet::new(), any: false, default_features: None }
    }

    /// With the features `cargo publish`'s verification builds with.
    pub fn with_default_features(self, features: BTreeSet<String>) -> BuildCfgs {
        BuildCfgs { default_features: Some(features), ..self }
    }

    /// Reads the names a build script's source sets.
    pub fn read(&mut self, source: &str) {
        if source.contains("autocfg") || source.contains("cfg_aliases") {
            self.any = true;
        }
        for (at, _) in source.match_indices("rustc-cfg") {
            let rest = &source[at + "rustc-cfg".len()..];
            let name: String = rest
                .strip_prefix('=')
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                self.any = true;
            } else {
                self.named.insert(name);
            }
        }
    }

    fn may_set(&self, name: &str) -> bool {
        self.any || self.named.contains(name)
    }
}

/// What a `cfg` attribute means for the code under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Some build may compile it, verification included (or the attribute is no `cfg`).
    Compiled,
    /// Only a build with a custom `cfg` that the build script does not set compiles it:
    /// the `cfg(…)` written out.
    OnlyWith(String),
    /// No build of the published crate compiles it (`test`, `doctest`).
    Never,
}

/// What an attribute's tokens (inside `#[…]`) mean for the code under them.
pub fn judge(attribute: TokenStream, build: &BuildCfgs) -> Verdict {
    judge_tokens(&attribute.into_iter().collect::<Vec<_>>(), build)
}

/// [`judge`], on the attribute's tokens.
pub fn judge_tokens(attribute: &[TokenTree], build: &BuildCfgs) -> Verdict {
    let [TokenTree::Ident(cfg), TokenTree::Group(predicate)] = attribute else {
        return Verdict::Compiled;
    };
    if cfg != "cfg" || predicate.delimiter() != Delimiter::Parenthesis {
        return Verdict::Compiled;
    }
    let any_build = |_: Cfg| Truth::Maybe;
    let verification = |cfg: Cfg| match cfg {
        Cfg::Custom(name) if build.may_set(name) => Truth::Maybe,
        Cfg::Custom(_) => Truth::Never,
        Cfg::Feature(feature) => match &build.default_features {
            Some(on) if on.contains(feature) => Truth::Always,
            Some(_) => Truth::Never,
            None => Truth::Maybe,
        },
    };
    // The build script sets every custom name it writes out (as most do, unconditionally).
    let script_sets = |cfg: Cfg| match cfg {
        Cfg::Custom(name) if build.named.contains(name) => Truth::Always,
        other => verification(other),
    };
    if evaluate(predicate.stream(), &any_build, 0) == Truth::Never {
        Verdict::Never
    } else if evaluate(predicate.stream(), &verification, 0) == Truth::Never
        || evaluate(predicate.stream(), &script_sets, 0) == Truth::Never
    {
        Verdict::OnlyWith(format!("cfg({})", written(predicate.stream(), 0)))
    } else {
        Verdict::Compiled
    }
}

/// Whether a `cfg_attr(predicate, …)`'s predicate (its tokens before the first comma) is
/// never satisfied, so its attributes never apply.
pub fn cfg_attr_never_applies(arguments: &[TokenTree]) -> bool {
    let end = arguments
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
        .unwrap_or(arguments.len());
    let predicate = arguments[..end].iter().cloned().collect();
    evaluate(predicate, &|_| Truth::Maybe, 0) == Truth::Never
}

/// What a `cfg` predicate can be in a build of the published crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    /// False in every build considered.
    Never,
    /// True in every build considered (`not(test)`, `true`).
    Always,
    /// Depends on the build.
    Maybe,
}

/// A `cfg` a build decides: a custom name, or `feature = "…"`.
#[derive(Clone, Copy)]
enum Cfg<'a> {
    Custom(&'a str),
    Feature(&'a str),
}

/// The truth of one predicate (`name`, `name = "value"`, `all(…)`, `any(…)`, `not(…)`);
/// `custom` says what a custom name or a feature is.
fn evaluate(predicate: TokenStream, custom: &dyn Fn(Cfg) -> Truth, depth: usize) -> Truth {
    if depth > MAX_PREDICATE_DEPTH {
        return Truth::Maybe;
    }
    let tokens: Vec<TokenTree> = predicate.into_iter().collect();
    match tokens.as_slice() {
        [TokenTree::Ident(name), rest @ ..]
            if rest.is_empty()
                || matches!(rest.first(), Some(TokenTree::Punct(p)) if p.as_char() == '=') =>
        {
            let feature = match rest {
                [_, TokenTree::Literal(value)] => value.to_string(),
                _ => String::new(),
            };
            match name.to_string().as_str() {
                "test" | "doctest" | "false" if rest.is_empty() => Truth::Never,
                "true" if rest.is_empty() => Truth::Always,
                "feature" if feature.len() >= 2 && feature.starts_with('"') => {
                    custom(Cfg::Feature(&feature[1..feature.len() - 1]))
                }
                name if is_custom(name) => custom(Cfg::Custom(name)),
                _ => Truth::Maybe,
            }
        }
        [TokenTree::Ident(op), TokenTree::Group(args)]
            if args.delimiter() == Delimiter::Parenthesis =>
        {
            let terms: Vec<Truth> = split_commas(args.stream())
                .into_iter()
                .map(|term| evaluate(term, custom, depth + 1))
                .collect();
            match op.to_string().as_str() {
                "all" if terms.contains(&Truth::Never) => Truth::Never,
                "all" if terms.iter().all(|t| *t == Truth::Always) => Truth::Always,
                "any" if terms.contains(&Truth::Always) => Truth::Always,
                "any" if terms.iter().all(|t| *t == Truth::Never) => Truth::Never,
                "not" => match terms.as_slice() {
                    [Truth::Never] => Truth::Always,
                    [Truth::Always] => Truth::Never,
                    _ => Truth::Maybe,
                },
                _ => Truth::Maybe,
            }
        }
        _ => Truth::Maybe,
    }
}

/// A predicate as written, spaced as rustfmt spaces it: `all(bench, feature = "x")`.
fn written(predicate: TokenStream, depth: usize) -> String {
    let mut text = String::new();
    for token in predicate {
        match token {
            TokenTree::Group(g) if depth < MAX_PREDICATE_DEPTH => {
                text.push('(');
                text.push_str(&written(g.stream(), depth + 1));
                text.push(')');
            }
            TokenTree::Group(_) => text.push_str("(…)"),
            TokenTree::Punct(p) if p.as_char() == ',' => text.push_str(", "),
            TokenTree::Punct(p) if p.as_char() == '=' => text.push_str(" = "),
            other => text.push_str(&other.to_string()),
        }
    }
    text
}

/// The comma-separated parts of a predicate list (a trailing comma allowed).
fn split_commas(stream: TokenStream) -> Vec<TokenStream> {
    let mut parts = vec![Vec::new()];
    for token in stream {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(Vec::new()),
            _ => parts.last_mut().expect("never empty").push(token),
        }
    }
    parts.into_iter().filter(|p| !p.is_empty()).map(|p| p.into_iter().collect()).collect()
}

/// How what follows an attribute ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `fn`, `mod`, `struct`, `enum`, `union`, `trait`, `impl`, `extern`, `macro_rules!`:
    /// at its first `{ … }` (its body) or `;`.
    Item,
    /// `let`, `use`, `type`, `const`, `static`: at its `;`.
    Statement,
    /// `{ … }`, `unsafe { … }`, `if`, `match`, `while`, `for`, `loop`: at its block, and for
    /// `if` at the last block of its `else` chain.
    Block,
    /// A field, variant, match arm, element or expression statement: at `,` or `;`, or a
    /// match arm's or macro call's `{ … }`.
    Expression,
}

fn shape(tokens: &[TokenTree], mut i: usize) -> Shape {
    let first = i;
    let mut qualified = false; // after `const`: `const fn` is an item, `const X` a statement
    while let Some(token) = tokens.get(i) {
        match token {
            TokenTree::Ident(ident) => match ident.to_string().as_str() {
                "pub" | "unsafe" | "async" | "default" | "safe" | "extern" => {}
                "const" => qualified = true,
                "fn" | "mod" | "struct" | "enum" | "union" | "trait" | "impl" | "macro_rules" => {
                    return Shape::Item;
                }
                "static" | "let" | "use" | "type" => return Shape::Statement,
                "if" | "match" | "while" | "for" | "loop" => return Shape::Block,
                _ if qualified => return Shape::Statement,
                _ => return Shape::Expression,
            },
            // `pub(crate)`, and an `extern "C"` ABI.
            TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis && i > first => {}
            TokenTree::Literal(_) if i > first => {}
            // A loop's label: `'outer: loop { … }`.
            TokenTree::Punct(p) if p.as_char() == '\'' && is_punct(tokens.get(i + 2), ':') => {
                i += 2;
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => return Shape::Block,
            _ if qualified => return Shape::Statement,
            _ => return Shape::Expression,
        }
        i += 1;
    }
    Shape::Expression
}

pub fn is_punct(token: Option<&TokenTree>, c: char) -> bool {
    matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_ident(token: Option<&TokenTree>, name: &str) -> bool {
    matches!(token, Some(TokenTree::Ident(id)) if id == name)
}

fn is_brace(token: &TokenTree) -> bool {
    matches!(token, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
}

/// The index just past what the outer attributes starting at `i` apply to (further
/// `#[…]` included). When unsure it ends early: code after the end is walked as compiled,
/// which may count an include too many but never misses one.
pub fn item_end(tokens: &[TokenTree], mut i: usize) -> usize {
    while is_punct(tokens.get(i), '#')
        && matches!(tokens.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
    {
        i += 2;
    }
    let shape = shape(tokens, i);
    while let Some(token) = tokens.get(i) {
        i += 1;
        match token {
            TokenTree::Punct(p) if p.as_char() == ';' => return i,
            TokenTree::Punct(p) if p.as_char() == ',' && shape == Shape::Expression => return i,
            token if is_brace(token) => match shape {
                Shape::Item => return i,
                Shape::Statement => {}
                Shape::Block => {
                    if !is_ident(tokens.get(i), "else") {
                        return i;
                    }
                    i += 1; // `else`, then `if …` (up to its block) or the last block
                }
                Shape::Expression => {
                    let previous = i.checked_sub(2).and_then(|p| tokens.get(p));
                    let arm_or_macro = is_punct(previous, '!')
                        || (is_punct(previous, '>')
                            && is_punct(i.checked_sub(3).and_then(|p| tokens.get(p)), '='));
                    if arm_or_macro {
                        return if is_punct(tokens.get(i), ',') { i + 1 } else { i };
                    }
                }
            },
            _ => {}
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(attribute: &str, build_script: &str) -> Verdict {
        let mut build = BuildCfgs::new();
        build.read(build_script);
        judge(attribute.parse().unwrap(), &build)
    }

    #[test]
    fn predicates_that_no_build_of_the_published_crate_sets() {
        for attribute in [
            "cfg(test)",
            "cfg(doctest)",
            "cfg(false)",
            "cfg(all(test, feature = \"x\"))",
            "cfg(all(unix, test,))",
            "cfg(any(test, doctest))",
            "cfg(not(not(test)))",
            "cfg(not(any(unix, not(test))))",
            "cfg(not(true))",
            "cfg(any())",
            "cfg(all(bench, test))",
        ] {
            assert_eq!(judged(attribute, ""), Verdict::Never, "{attribute}");
        }
        for attribute in [
            "cfg(not(test))",
            "cfg(any(test, feature = \"x\"))",
            "cfg(feature = \"test\")",
            "cfg(unix)",
            "cfg(target_os = \"linux\")",
            "cfg(all())",
            "cfg(any(test, not(doctest)))",
            "cfg(not(all(test, unix)))",
            "cfg(not(bench))",
            "cfg(any(bench, feature = \"x\"))",
            "cfg_attr(test, allow(dead_code))",
            "test",
            "cfg(test = \"x\")",
        ] {
            assert_eq!(judged(attribute, ""), Verdict::Compiled, "{attribute}");
        }
    }

    #[test]
    fn custom_cfgs_count_only_where_the_build_script_may_set_them() {
        let only = |text: &str| Verdict::OnlyWith(text.to_owned());
        assert_eq!(judged("cfg(bench)", ""), only("cfg(bench)"));
        assert_eq!(
            judged("cfg(all(docsrs, feature = \"x\"))", ""),
            only("cfg(all(docsrs, feature = \"x\"))")
        );
        assert_eq!(judged("cfg(read_buf)", ""), only("cfg(read_buf)"));
        let rustls = "fn main() { println!(\"cargo:rustc-cfg=read_buf\"); }";
        assert_eq!(judged("cfg(read_buf)", rustls), Verdict::Compiled);
        assert_eq!(judged("cfg(bench)", rustls), only("cfg(bench)"));
        for computed in [
            "println!(\"cargo::rustc-cfg={name}\");",
            "let ac = autocfg::new(); ac.emit_has_type(\"i128\");",
            "cfg_aliases::cfg_aliases! { wasm: { target_arch = \"wasm32\" } }",
        ] {
            assert_eq!(judged("cfg(has_i128)", computed), Verdict::Compiled, "{computed}");
        }
    }

    /// font-awesome-as-a-crate 0.3.1 includes `fontawesome.rs` under
    /// `cfg(not(font_awesome_out_dir))`, which its build script sets: verification compiles
    /// the `OUT_DIR` one instead.
    #[test]
    fn code_the_build_script_turns_off_is_not_what_verification_compiles() {
        let script = "fn main() { println!(\"cargo:rustc-cfg=font_awesome_out_dir\"); }";
        assert_eq!(
            judged("cfg(not(font_awesome_out_dir))", script),
            Verdict::OnlyWith("cfg(not(font_awesome_out_dir))".into())
        );
        assert_eq!(judged("cfg(font_awesome_out_dir)", script), Verdict::Compiled);
        // A name it computes may be set or not: compiled, as before.
        let computed = "println!(\"cargo::rustc-cfg={name}\");";
        assert_eq!(judged("cfg(not(has_i128))", computed), Verdict::Compiled);
    }

    /// trustfall_core 0.8.1 includes a file from outside the package under
    /// `cfg(any(test, feature = "__private"))`, a feature `default` does not enable.
    #[test]
    fn verification_builds_the_default_features_only() {
        let on = BTreeSet::from(["default".to_owned(), "std".to_owned()]);
        let build = BuildCfgs::new().with_default_features(on);
        let judge = |attribute: &str| judge(attribute.parse().unwrap(), &build);
        let private = "cfg(any(test, feature = \"__private\"))";
        assert_eq!(judge(private), Verdict::OnlyWith(private.into()));
        assert_eq!(judge("cfg(feature = \"std\")"), Verdict::Compiled);
        let without_std = "cfg(not(feature = \"std\"))";
        assert_eq!(judge(without_std), Verdict::OnlyWith(without_std.into()));
        // Unknown default features: any feature may be on, as before.
        assert_eq!(judged(private, ""), Verdict::Compiled);
    }

    #[test]
    fn deep_predicates_are_read_as_may_be_set() {
        let deep = format!("cfg({}test{})", "not(".repeat(5000), ")".repeat(5000));
        assert_eq!(judged(&deep, ""), Verdict::Compiled);
    }

    /// The tokens left after removing what the attribute at the start applies to.
    fn rest(code: &str) -> String {
        let tokens: Vec<TokenTree> = code.parse::<TokenStream>().unwrap().into_iter().collect();
        let end = item_end(&tokens, 2);
        tokens[end..].iter().cloned().collect::<TokenStream>().to_string()
    }

    #[test]
    fn each_kind_of_attributed_code_ends_where_rust_ends_it() {
        let cases = [
            ("#[cfg(test)] mod tests { fn a() {} } fn next() {}", "fn next () { }"),
            ("#[cfg(test)] #[path = \"t.rs\"] pub(crate) mod t; next!();", "next ! () ;"),
            ("#[cfg(test)] impl<A, B> X<A, B> where A: C, B: D { } next", "next"),
            ("#[cfg(test)] pub const fn f() -> u8 { 1 } next", "next"),
            ("#[cfg(test)] const X: S = S { a: 1 }; next", "next"),
            ("#[cfg(test)] use a::{b, c}; next", "next"),
            ("#[cfg(test)] let x = if a { 1 } else { 2 }; next", "next"),
            ("#[cfg(test)] { block } next", "next"),
            ("#[cfg(test)] unsafe { block } next", "next"),
            ("#[cfg(test)] if a { } else if b { } else { } next", "next"),
            ("#[cfg(test)] match x { _ => {} } next", "next"),
            ("#[cfg(test)] 'outer: loop { break 'outer; } next", "next"),
            ("#[cfg(test)] field: HashMap<K, V>, next: u8", "V >, next : u8"),
            ("#[cfg(test)] A => 1, B => include_str!(\"x\"),", "B => include_str ! (\"x\") ,"),
            ("#[cfg(test)] A => { x } B => 2,", "B => 2 ,"),
            ("#[cfg(test)] A => { x }, B => 2,", "B => 2 ,"),
            ("#[cfg(test)] Variant { a: u8 }, Next", "Next"),
            ("#[cfg(test)] thread_local! { static X: u8 = 1; } next", "next"),
            ("#[cfg(test)] println!(\"{}\", a); next", "next"),
            ("#[cfg(test)] extern \"C\" { fn f(); } next", "next"),
            ("#[cfg(test)] extern crate std; next", "next"),
            ("#[cfg(test)] macro_rules! m { () => {} } next", "next"),
            ("#[cfg(test)] struct S(u8, u16); next", "next"),
            ("#[cfg(test)] static S: [u8; 2] = [1, 2]; next", "next"),
        ];
        for (code, left) in cases {
            assert_eq!(rest(code), left, "{code}");
        }
    }
}
