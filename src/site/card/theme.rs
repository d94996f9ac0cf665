//! The card's colours and fonts: the theme's `card.toml` and `fonts/card-*.ttf`, or the
//! embedded defaults, parsed once.

use ab_glyph::{Font, FontArc, FontVec};

use super::Rgb;
use super::text::Weight;
use crate::report::Verdict;

/// A verdict badge's colours: tinted background, and the dot and text on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadgeColors {
    pub bg: Rgb,
    pub fg: Rgb,
}

/// The card's palette (the default matches the site's light theme).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardColors {
    pub background: Rgb,
    pub text: Rgb,
    pub muted: Rgb,
    pub rule: Rgb,
    pub header_bg: Rgb,
    pub header_text: Rgb,
    pub header_muted: Rgb,
    pub accent: Rgb,
    pub footer: Rgb,
    pub tag_bg: Rgb,
    pub tag_text: Rgb,
    pub ready: BadgeColors,
    pub warnings: BadgeColors,
    pub blocked: BadgeColors,
    pub skipped: BadgeColors,
}

impl Default for CardColors {
    fn default() -> Self {
        CardColors {
            background: [0xff, 0xff, 0xff],
            text: [0x1f, 0x23, 0x28],
            muted: [0x59, 0x63, 0x6e],
            rule: [0xd1, 0xd9, 0xe0],
            header_bg: [0x1f, 0x23, 0x28],
            header_text: [0xff, 0xff, 0xff],
            header_muted: [0xa4, 0xae, 0xb8],
            accent: [0xb7, 0x41, 0x0e],
            footer: [0xb7, 0x41, 0x0e],
            tag_bg: [0xfb, 0xee, 0xe8],
            tag_text: [0x9a, 0x37, 0x0c],
            ready: BadgeColors { bg: [0xe8, 0xf5, 0xec], fg: [0x1a, 0x73, 0x32] },
            warnings: BadgeColors { bg: [0xff, 0xf5, 0xdd], fg: [0x8a, 0x46, 0x00] },
            blocked: BadgeColors { bg: [0xfd, 0xee, 0xec], fg: [0xb3, 0x26, 0x1e] },
            skipped: BadgeColors { bg: [0xef, 0xf1, 0xf3], fg: [0x55, 0x5e, 0x68] },
        }
    }
}

impl CardColors {
    pub(super) fn badge(&self, verdict: Verdict) -> BadgeColors {
        match verdict {
            Verdict::Ready => self.ready,
            Verdict::Warnings => self.warnings,
            Verdict::Blocked => self.blocked,
            Verdict::Skipped => self.skipped,
        }
    }
}

/// Why a card could not be drawn or a theme not built.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("the {which} card font is not a valid TrueType/OpenType font")]
    InvalidFont { which: &'static str },
    #[error("could not encode the card as PNG: {0}")]
    Encode(String),
}

/// Fonts and colours; parsed once per run, shared across threads.
#[derive(Clone, Debug)]
pub struct CardTheme {
    /// Main regular font first, then fallbacks.
    pub(super) regular: Vec<FontArc>,
    /// Main bold font first, then bold fallbacks, then the regular chain.
    pub(super) bold: Vec<FontArc>,
    pub colors: CardColors,
}

impl CardTheme {
    /// DejaVu Sans and DejaVu Sans Bold (embedded by the `dejavu` crate), our own colours.
    pub fn default_theme() -> Result<CardTheme, CardError> {
        let regular = parse_static(dejavu::sans::regular(), "regular")?;
        let bold = parse_static(dejavu::sans::bold(), "bold")?;
        Ok(CardTheme {
            regular: vec![regular.clone()],
            bold: vec![bold, regular],
            colors: CardColors::default(),
        })
    }

    /// The site theme's own fonts, with DejaVu Sans kept as the fallback for glyphs they lack.
    /// Invalid font data is an error.
    pub fn with_fonts(regular: Vec<u8>, bold: Vec<u8>) -> Result<CardTheme, CardError> {
        let main_regular = parse_owned(regular, "regular")?;
        let main_bold = parse_owned(bold, "bold")?;
        let default = CardTheme::default_theme()?;
        let fallback_regular = default.regular[0].clone();
        let fallback_bold = default.bold[0].clone();
        Ok(CardTheme {
            regular: vec![main_regular.clone(), fallback_regular.clone()],
            bold: vec![main_bold, fallback_bold, main_regular, fallback_regular],
            colors: default.colors,
        })
    }

    pub(super) fn chain(&self, weight: Weight) -> &[FontArc] {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

pub(super) fn parse_static(
    bytes: &'static [u8],
    which: &'static str,
) -> Result<FontArc, CardError> {
    let font =
        ab_glyph::FontRef::try_from_slice(bytes).map_err(|_| CardError::InvalidFont { which })?;
    Ok(FontArc::new(font))
}

pub(super) fn parse_owned(bytes: Vec<u8>, which: &'static str) -> Result<FontArc, CardError> {
    let font = FontVec::try_from_vec(bytes).map_err(|_| CardError::InvalidFont { which })?;
    if font.units_per_em().is_none() || font.height_unscaled() <= 0.0 {
        return Err(CardError::InvalidFont { which });
    }
    Ok(FontArc::new(font))
}
