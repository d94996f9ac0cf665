//! Fenced code highlighted as crates.io shows it, with syntect (plus two-face's extra
//! syntaxes, TOML among them) as CSS classes.

use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::base::format::escape_html;
use crate::base::shown::Shown;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The classes highlighted code gets (the stylesheet is [`crate::preview::contrast`]'s).
pub(crate) const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The syntax set, loaded once per run and shared by every thread.
pub fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
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
    let _ = write!(
        out,
        // Focusable, so that a keyboard scrolls a block wider than the page.
        "<pre class=\"highlight\" tabindex=\"0\"><code{class}>{}</code></pre>",
        generator.finalize()
    );
    out
}
