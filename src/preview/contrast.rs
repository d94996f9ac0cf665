//! Legible highlighting: the syntax themes' colours moved, where they need it, to the
//! contrast WCAG asks of text (4.5:1) against every background they are shown on (the
//! theme's own and the page's code background), so an accessibility audit of the site
//! finds no faint keyword or comment. A colour keeps its hue; it only darkens on a light
//! background and lightens on a dark one.

use syntect::highlighting::{Color, Theme};
use syntect::html::css_for_theme_with_class_style;

/// WCAG 2's minimum contrast ratio for normal text.
const MINIMUM: f64 = 4.5;

/// The stylesheet for highlighted code, generated from a light and a dark theme, each made
/// legible on the code background of the site's matching colour scheme (`--bg-soft` in
/// the theme's `style.css`).
pub fn highlight_css() -> String {
    use two_face::theme::EmbeddedThemeName;
    let themes = two_face::theme::extra();
    let css = |name, page: Color| {
        let theme = legible(themes.get(name).clone(), &[page]);
        css_for_theme_with_class_style(&theme, super::readme::CLASS_STYLE).unwrap_or_default()
    };
    let light = css(EmbeddedThemeName::InspiredGithub, Color { r: 0xf6, g: 0xf8, b: 0xfa, a: 255 });
    let dark = css(EmbeddedThemeName::OneHalfDark, Color { r: 0x16, g: 0x1b, b: 0x22, a: 255 });
    format!(
        "/* Generated from the InspiredGitHub and OneHalfDark themes by cargo-readiness. */\n{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
}

/// `theme` with every foreground colour legible on `backgrounds` and on the theme's own.
fn legible(mut theme: Theme, backgrounds: &[Color]) -> Theme {
    let mut on: Vec<Color> = backgrounds.to_vec();
    on.extend(theme.settings.background);
    let fix = |color: &mut Option<Color>, own: Option<Color>| {
        if let Some(color) = color {
            let mut grounds = on.clone();
            grounds.extend(own);
            *color = readable(*color, &grounds);
        }
    };
    fix(&mut theme.settings.foreground, None);
    for item in &mut theme.scopes {
        fix(&mut item.style.foreground, item.style.background);
    }
    theme
}

/// `color`, mixed towards black (on light backgrounds) or white (on dark ones) in small
/// steps until it reaches [`MINIMUM`] against each of `backgrounds`.
fn readable(color: Color, backgrounds: &[Color]) -> Color {
    let Some(darkest) = backgrounds.iter().map(|&b| luminance(b)).reduce(f64::min) else {
        return color;
    };
    let towards: u8 = if darkest > 0.18 { 0 } else { 255 };
    let mut mixed = color;
    for step in 0..=20 {
        let share = f64::from(step) / 20.0;
        let mix = |c: u8| (f64::from(c) * (1.0 - share) + f64::from(towards) * share).round() as u8;
        mixed = Color { r: mix(color.r), g: mix(color.g), b: mix(color.b), a: color.a };
        if backgrounds.iter().all(|&b| ratio(mixed, b) >= MINIMUM) {
            break;
        }
    }
    mixed
}

/// The contrast ratio of two colours, 1 to 21.
fn ratio(a: Color, b: Color) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// WCAG's relative luminance of an sRGB colour.
fn luminance(color: Color) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(rgb: u32) -> Color {
        let [_, r, g, b] = rgb.to_be_bytes();
        Color { r, g, b, a: 255 }
    }

    #[test]
    fn css_is_generated_for_both_schemes_without_the_themes_faint_colours() {
        let css = highlight_css();
        assert!(css.contains(".hl-") && css.contains("prefers-color-scheme: dark"));
        // InspiredGitHub's tags and numbers, under 4.5:1 on the code background.
        assert!(!css.contains("#63a35c") && !css.contains("#0086b3"), "{css}");
    }

    #[test]
    fn faint_colours_reach_the_minimum_and_legible_ones_stay() {
        let soft = hex(0xf6f8fa);
        // InspiredGitHub's numbers and tags on the page's code background: 3.9 and 2.85.
        for faint in [hex(0x0086b3), hex(0x63a35c), hex(0x969896)] {
            assert!(ratio(faint, soft) < MINIMUM);
            let fixed = readable(faint, &[soft, hex(0xffffff)]);
            assert!(ratio(fixed, soft) >= MINIMUM, "{fixed:?}");
            assert!(fixed.r <= faint.r && fixed.g <= faint.g && fixed.b <= faint.b, "darkened");
        }
        assert_eq!(readable(hex(0xa71d5d), &[soft]), hex(0xa71d5d));
        // On a dark background a faint colour lightens.
        let dark = hex(0x161b22);
        let fixed = readable(hex(0x5c6370), &[dark]);
        assert!(ratio(fixed, dark) >= MINIMUM && fixed.r > 0x5c, "{fixed:?}");
    }
}
