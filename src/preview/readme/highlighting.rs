//! Fenced code highlighted as crates.io shows it, with syntect (plus two-face's extra
//! syntaxes, TOML among them) as CSS classes, and the stylesheet those classes need.

use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::base::format::escape_html;
use crate::base::shown::Shown;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The syntax set, loaded once per run and shared by every thread.
pub fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

/// The stylesheet for highlighted code, generated from a light and a dark theme.
pub fn highlight_css() -> String {
    use two_face::theme::EmbeddedThemeName;
    let themes = two_face::theme::extra();
    let light =
        css_for_theme_with_class_style(themes.get(EmbeddedThemeName::InspiredGithub), CLASS_STYLE)
            .unwrap_or_default();
    let dark =
        css_for_theme_with_class_style(themes.get(EmbeddedThemeName::OneHalfDark), CLASS_STYLE)
            .unwrap_or_default();
    format!(
        "/* Generated from the InspiredGitHub and OneHalfDark themes by cargo-readiness. */\n{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
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
        write!(out, "<pre class=\"highlight\"><code{class}>{}</code></pre>", generator.finalize());
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn css_is_generated_for_both_schemes() {
        let css = super::highlight_css();
        assert!(css.contains(".hl-") && css.contains("prefers-color-scheme: dark"));
    }
}
