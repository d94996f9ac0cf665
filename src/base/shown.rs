//! [`Shown`]: text as any output may show it. Its one constructor redacts every secret
//! ([`crate::base::secrets::redact`]) and makes every character a reader cannot see, or that
//! reorders what they see, visible as `<U+XXXX>`. The escapers of every destination
//! ([`crate::base::format`]: HTML, Markdown, terminal) take a `Shown`, and the models that are
//! serialized (`report.json`) or rendered hold one wherever text comes from the checkout,
//! so an output cannot show such text without passing through here.
//!
//! The characters made visible ([`is_hidden`]):
//! - bidirectional controls, which reorder the text around them (U+061C, U+200E, U+200F,
//!   U+202A–U+202E, U+2066–U+2069): "Trojan Source";
//! - Unicode's default-ignorable code points, which draw nothing at all: zero-width space,
//!   non-joiner and joiner (U+200B–U+200D), word joiner and invisible operators
//!   (U+2060–U+2064), deprecated format controls (U+206A–U+206F), the byte-order mark
//!   (U+FEFF), the soft hyphen (U+00AD), the combining grapheme joiner (U+034F), Hangul
//!   fillers, Khmer inherent vowels, the Mongolian vowel separator, shorthand and musical
//!   format controls, and tags (U+E0000–U+E007F, an invisible copy of ASCII), with the
//!   ranges Unicode reserves as ignorable.
//!
//! Left as they are: variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF, U+180B–U+180D,
//! U+180F), which only choose how the character before them is drawn (`⚠️` needs one), and
//! line breaks and other control characters, which each destination's escaper handles.
//! The zero-width joiner is revealed even inside emoji (`👩<U+200D>💻`): what hides a
//! character in a name hides it everywhere.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Text with its secrets redacted and its hidden characters made visible. Made only by
/// [`Shown::new`] (and from parts of a `Shown`, which are shown text too).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Shown(String);

impl Shown {
    /// `text` as outputs show it. Idempotent: a `Shown` made again from its own text is the
    /// same.
    pub fn new(text: impl AsRef<str>) -> Shown {
        let redacted = crate::base::secrets::redact(text.as_ref());
        Shown(reveal(&redacted).into_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its lines: a part of shown text holds no secret and no hidden character either.
    pub fn lines(&self) -> impl Iterator<Item = Shown> + '_ {
        self.0.lines().map(|line| Shown(line.to_owned()))
    }

    /// The first line, and what follows it (empty for one line).
    pub fn split_first_line(&self) -> (Shown, Shown) {
        match self.0.split_once('\n') {
            Some((first, rest)) => {
                let first = first.strip_suffix('\r').unwrap_or(first);
                (Shown(first.to_owned()), Shown(rest.to_owned()))
            }
            None => (self.clone(), Shown::default()),
        }
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Read as text; made only by [`Shown::new`].
impl std::ops::Deref for Shown {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Compares, hashes and joins as its text does.
impl std::borrow::Borrow<str> for Shown {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shown {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Shown {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Shown {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Read back (a cached comparison) through [`Shown::new`]: what was stored is not trusted.
impl<'de> Deserialize<'de> for Shown {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shown, D::Error> {
        String::deserialize(deserializer).map(Shown::new)
    }
}

/// Characters that reorder the text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters a reader cannot see, or that reorder what they see (the module's list).
pub fn is_hidden(c: char) -> bool {
    is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2065}'
                | '\u{206A}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E00FF}'
                | '\u{E01F0}'..='\u{E0FFF}'
        )
}

/// `text` with every hidden character written as `<U+XXXX>`.
fn reveal(text: &str) -> Cow<'_, str> {
    // Every hidden character is outside ASCII.
    if text.is_ascii() || !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Built at run time, so that this source file holds no secret of its own.
    fn github() -> String {
        format!("ghp_{}", "k3Y9".repeat(9))
    }

    #[test]
    fn secrets_are_redacted_and_hidden_characters_shown() {
        let text = format!("see \u{202E}txt.exe\u{202C} and {} a\u{200B}b", github());
        let shown = Shown::new(&text);
        assert_eq!(shown, "see <U+202E>txt.exe<U+202C> and [redacted: GitHub token] a<U+200B>b");
        assert_eq!(Shown::new(shown.as_str()), shown, "idempotent");
        assert_eq!(Shown::new("plain text, ünïcode, 🦀"), "plain text, ünïcode, 🦀");
    }

    #[test]
    fn the_hidden_set_is_the_one_documented() {
        for c in [
            '\u{061C}',
            '\u{200E}',
            '\u{200F}',
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{00AD}',
            '\u{034F}',
            '\u{115F}',
            '\u{1160}',
            '\u{17B4}',
            '\u{180E}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{2064}',
            '\u{206A}',
            '\u{206F}',
            '\u{3164}',
            '\u{FEFF}',
            '\u{FFA0}',
            '\u{1BCA0}',
            '\u{1D173}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
        ] {
            assert!(is_hidden(c), "U+{:04X} is hidden", u32::from(c));
        }
        // Variation selectors choose a glyph; line breaks and controls are the escapers'.
        for c in [
            '\u{FE0F}',
            '\u{FE00}',
            '\u{E0100}',
            '\u{180B}',
            '\n',
            '\t',
            '\u{1b}',
            '\u{2028}',
            ' ',
            'a',
            'é',
            '→',
            '⚠',
        ] {
            assert!(!is_hidden(c), "U+{:04X} is left alone", u32::from(c));
        }
        assert_eq!(Shown::new("⚠️ 👩\u{200D}💻"), "⚠️ 👩<U+200D>💻");
    }

    #[test]
    fn a_cached_value_is_shown_again_when_read() {
        let forged = serde_json::to_string(&format!("\u{202E}{}", github())).unwrap();
        let read: Shown = serde_json::from_str(&forged).unwrap();
        assert_eq!(read, "<U+202E>[redacted: GitHub token]");
        assert_eq!(serde_json::to_string(&read).unwrap(), "\"<U+202E>[redacted: GitHub token]\"");
    }

    #[test]
    fn parts_of_shown_text_are_shown() {
        let shown = Shown::new(format!("first {}\nsecond\u{2067}\nthird", github()));
        let lines: Vec<Shown> = shown.lines().collect();
        assert_eq!(lines, ["first [redacted: GitHub token]", "second<U+2067>", "third"]);
        let (first, rest) = shown.split_first_line();
        assert_eq!(first, "first [redacted: GitHub token]");
        assert_eq!(rest, "second<U+2067>\nthird");
        assert_eq!(Shown::new("one").split_first_line(), (Shown::new("one"), Shown::default()));
    }

    proptest! {
        #[test]
        fn shown_text_hides_nothing_and_is_stable(text in "\\PC{0,200}", hidden in proptest::sample::select(vec!['\u{202E}', '\u{200B}', '\u{FEFF}', '\u{E0041}', '\u{2066}'])) {
            let text = format!("{text}{hidden}{text}");
            let shown = Shown::new(&text);
            prop_assert!(!shown.as_str().chars().any(is_hidden), "{shown}");
            prop_assert_eq!(Shown::new(shown.as_str()), shown.clone());
        }
    }
}
