//! The preview card: a 1200×630 PNG for a crate's report page, served as its `og:image`.
//!
//! Drawn with `image` (pixels + PNG) and `ab_glyph` (glyph outlines), so this module does its
//! own text layout: advances plus kerning, greedy word wrapping, truncation by grapheme
//! cluster with "…", a font fallback chain, and a visible replacement box for characters that
//! no font has. Every draw call goes through a clip rectangle, so nothing lands outside the
//! region that the layout gave it (see [`INK_REGIONS`]).
//!
//! Limits, by design: no shaping (Arabic is drawn with its isolated letter forms) and no
//! bidirectional reordering (right-to-left text is drawn in logical order, left to right).

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

mod canvas;
mod text;
mod theme;

use canvas::Canvas;
use text::*;
pub use theme::*;

/// Card width in pixels.
pub const WIDTH: u32 = 1200;
/// Card height in pixels.
pub const HEIGHT: u32 = 630;

/// A half-open pixel rectangle: `x0 <= x < x1`, `y0 <= y < y1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

impl Region {
    /// Whether the pixel `(x, y)` lies inside.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x0 && x < self.x1 && y >= self.y0 && y < self.y1
    }
    fn width(&self) -> f32 {
        (self.x1 - self.x0) as f32
    }
}

/// The header band, filled with [`CardColors::header_bg`] edge to edge.
pub const HEADER: Region = Region { x0: 0, y0: 0, x1: WIDTH as i32, y1: 80 };
/// Where the header's mark and labels may draw (the header band minus its side insets).
pub const HEADER_INK: Region = Region { x0: 64, y0: 0, x1: WIDTH as i32 - 64, y1: 80 };
/// The footer stripe, filled with [`CardColors::footer`] edge to edge; nothing else draws in it.
pub const FOOTER: Region =
    Region { x0: 0, y0: HEIGHT as i32 - 10, x1: WIDTH as i32, y1: HEIGHT as i32 };
/// The content box: every piece of the crate's data is drawn, clipped, inside it.
pub const CONTENT: Region =
    Region { x0: 64, y0: HEADER.y1 + 40, x1: WIDTH as i32 - 64, y1: FOOTER.y0 - 40 };
/// The only regions that may hold anything but a flat fill: every pixel outside them is
/// [`CardColors::background`], or [`CardColors::header_bg`] in [`HEADER`], or
/// [`CardColors::footer`] in [`FOOTER`].
pub const INK_REGIONS: [Region; 2] = [HEADER_INK, CONTENT];

/// Everything the card shows; absent values are `None`/empty and are left out of the layout.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardData {
    pub name: String,
    /// Drawn as `v1.2.3`.
    pub version: String,
    /// Whitespace collapsed, word-wrapped, at most 3 lines, then "…".
    pub description: Option<String>,
    /// Drawn as `#tag` pills, as many as fit on one row.
    pub keywords: Vec<String>,
    /// Width-capped with "…".
    pub license: Option<String>,
    /// Bytes of the `.crate`, formatted by [`format_size`].
    pub compressed_size: u64,
    /// SLoC of the packaged Rust sources, formatted by [`format_count`].
    pub lines_of_code: Option<u64>,
    /// Only when known; never invented.
    pub releases: Option<u64>,
    pub verdict: Verdict,
}

pub use crate::report::Verdict;

/// The word drawn in the badge.
fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ready => "Ready",
        Verdict::Warnings => "Warnings",
        Verdict::Blocked => "Blocked",
        Verdict::Skipped => "Skipped",
    }
}

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// A byte size the way crates.io prints it: `B` below 1500, then `KiB`, `MiB`, … (÷1024,
/// switching unit at ≥ 1500), keeping about four significant characters:
/// `1499 B`, `1.46 KiB`, `10.0 KiB`, `100 KiB`, `1.46 MiB`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1500.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        return format!("{bytes} B");
    }
    // Pick the precision from the value as it will be rounded, so 9.999 prints `10.0`.
    let unit = UNITS[unit];
    if value < 9.995 {
        format!("{value:.2} {unit}")
    } else if value < 99.95 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// A count the way crates.io prints it: exact below 1500, then `K` / `M` / `B` with one
/// decimal below ten and none above: `1499`, `1.5K`, `10K`, `1.5M`.
pub fn format_count(n: u64) -> String {
    if n < 1500 {
        return n.to_string();
    }
    const SUFFIXES: [&str; 6] = ["K", "M", "B", "T", "P", "E"];
    let mut value = n as f64 / 1e3;
    let mut unit = 0;
    while value >= 1500.0 && unit < SUFFIXES.len() - 1 {
        value /= 1e3;
        unit += 1;
    }
    let suffix = SUFFIXES[unit];
    if value < 9.95 {
        let text = format!("{value:.1}");
        let text = text.strip_suffix(".0").unwrap_or(&text);
        format!("{text}{suffix}")
    } else {
        format!("{value:.0}{suffix}")
    }
}

// ------------------------------------------------------------------------------ drawing

/// Draws the card: 1200×630 PNG bytes, the same bytes for the same input and theme.
pub fn draw(card: &CardData, theme: &CardTheme) -> Result<Vec<u8>, CardError> {
    draw_on(&Backdrop::new(theme), card, theme)
}

/// What every card of a theme shares, drawn once: the background, the header band with
/// its mark and labels, and the footer stripe. Nothing of a crate is in it.
pub struct Backdrop {
    pixels: Vec<u8>,
}

impl Backdrop {
    pub fn new(theme: &CardTheme) -> Backdrop {
        let mut canvas = Canvas::new(theme);
        let colors = &theme.colors;
        canvas.clip = full();
        canvas.fill_rect(HEADER, colors.header_bg);
        canvas.fill_rect(FOOTER, colors.footer);
        canvas.clip = HEADER_INK;
        draw_header(&mut canvas, &Layout { theme });
        Backdrop { pixels: canvas.pixels }
    }
}

/// [`draw`], on a backdrop made with [`Backdrop::new`] from the same `theme` (a run draws
/// it once for all its cards): the crate's data goes on a copy of it, in the content box.
pub fn draw_on(
    backdrop: &Backdrop,
    card: &CardData,
    theme: &CardTheme,
) -> Result<Vec<u8>, CardError> {
    let mut canvas = Canvas::from_pixels(theme, backdrop.pixels.clone());
    canvas.clip = CONTENT;
    draw_content(&mut canvas, &Layout { theme }, card);
    canvas.encode()
}

fn full() -> Region {
    Region { x0: 0, y0: 0, x1: WIDTH as i32, y1: HEIGHT as i32 }
}

const NAME_PX: f32 = 72.0;
const VERSION_PX: f32 = 30.0;
const BADGE_PX: f32 = 22.0;
const DESC_PX: f32 = 29.0;
const DESC_LINE: f32 = 42.0;
const DESC_LINES: usize = 3;
const TAG_PX: f32 = 22.0;
const LABEL_PX: f32 = 16.0;
const VALUE_PX: f32 = 30.0;
const LICENSE_MAX: f32 = 340.0;
const VERSION_MAX: f32 = 520.0;

fn draw_header(canvas: &mut Canvas, layout: &Layout) {
    let c = &layout.theme.colors;
    let y_mid = (HEADER.y0 + HEADER.y1) as f32 / 2.0;
    let x0 = HEADER_INK.x0 as f32;
    // The mark: a small crate, seen from the front.
    let size = 34.0;
    let top = y_mid - size / 2.0;
    canvas.fill_round_rect(x0, top, size, size, 7.0, c.accent);
    canvas.fill_round_rect(x0 + 7.0, top + 12.0, size - 14.0, 3.0, 1.5, c.header_bg);
    canvas.fill_round_rect(x0 + 7.0, top + 19.0, size - 14.0, 3.0, 1.5, c.header_bg);

    let label = layout.line("cargo-readiness", Weight::Bold, 26.0);
    let label_x = x0 + size + 14.0;
    let baseline = layout.centered_baseline(Weight::Bold, 26.0, y_mid);
    canvas.draw_line(&label, label_x, baseline, c.header_text);

    let tagline_max = HEADER_INK.width() - (label_x - x0) - label.width - 40.0;
    let tagline = layout.fit("release readiness report", Weight::Regular, 20.0, tagline_max, false);
    if !tagline.glyphs.is_empty() {
        let baseline = layout.centered_baseline(Weight::Regular, 20.0, y_mid);
        canvas.draw_line(&tagline, HEADER_INK.x1 as f32 - tagline.width, baseline, c.header_muted);
    }
}

fn draw_content(canvas: &mut Canvas, layout: &Layout, card: &CardData) {
    let c = &layout.theme.colors;
    let left = CONTENT.x0 as f32;
    let width = CONTENT.width();

    // Everything is laid out first, then placed: the top block (name, version and verdict,
    // description, keywords) is centred in the space above the facts row, which sits on the
    // bottom of the content box. Missing pieces take their gaps with them.
    let name = layout.fit(&clean(&card.name), Weight::Bold, NAME_PX, width, false);
    let version = layout.fit(
        &format!("v{}", clean(&card.version)),
        Weight::Regular,
        VERSION_PX,
        VERSION_MAX,
        false,
    );
    let badge = Badge::new(layout, card.verdict);
    let description = match card.description.as_deref().map(clean) {
        Some(text) if !text.is_empty() => {
            layout.wrap(&text, Weight::Regular, DESC_PX, width, DESC_LINES)
        }
        _ => Vec::new(),
    };
    let tags = Tags::new(layout, &card.keywords, width);
    let facts = Facts::new(layout, card);

    let name_h = layout.line_height(Weight::Bold, NAME_PX);
    let row_h = badge.height.max(layout.line_height(Weight::Regular, VERSION_PX));
    let mut blocks: Vec<f32> = vec![name_h, row_h];
    let (gap_row, gap_block) = (16.0, 30.0);
    if !description.is_empty() {
        blocks.push(description.len() as f32 * DESC_LINE);
    }
    if !tags.pills.is_empty() {
        blocks.push(tags.height);
    }
    let top_h: f32 = blocks.iter().sum::<f32>() + gap_row + gap_block * (blocks.len() - 2) as f32;

    let facts_top = CONTENT.y1 as f32 - facts.height;
    let room = facts_top - 30.0 - CONTENT.y0 as f32;
    let mut y = CONTENT.y0 as f32 + ((room - top_h) / 2.0).max(0.0).floor();

    // Name.
    let baseline = y + layout.ascent(Weight::Bold, NAME_PX);
    canvas.draw_line(&name, left, baseline, c.text);
    y += name_h + gap_row;

    // Version, then the verdict badge.
    let mid = y + row_h / 2.0;
    canvas.draw_line(
        &version,
        left,
        layout.centered_baseline(Weight::Regular, VERSION_PX, mid),
        c.muted,
    );
    let badge_x = left + version.width + 22.0;
    badge.draw(canvas, layout, badge_x, mid - badge.height / 2.0, c.badge(card.verdict));
    y += row_h + gap_block;

    // Description.
    if !description.is_empty() {
        let half_leading = (DESC_LINE - layout.line_height(Weight::Regular, DESC_PX)) / 2.0;
        for (i, line) in description.iter().enumerate() {
            let top = y + i as f32 * DESC_LINE + half_leading;
            canvas.draw_line(line, left, top + layout.ascent(Weight::Regular, DESC_PX), c.text);
        }
        y += description.len() as f32 * DESC_LINE + gap_block;
    }

    // Keywords.
    if !tags.pills.is_empty() {
        tags.draw(canvas, layout, left, y);
    }

    facts.draw(canvas, layout, left, facts_top);
}

struct Badge {
    text: Line,
    width: f32,
    height: f32,
}

impl Badge {
    const PAD: f32 = 16.0;
    const DOT: f32 = 10.0;
    const DOT_GAP: f32 = 10.0;

    fn new(layout: &Layout, verdict: Verdict) -> Badge {
        let text = layout.line(verdict_label(verdict), Weight::Bold, BADGE_PX);
        let width = Self::PAD * 2.0 + Self::DOT + Self::DOT_GAP + text.width;
        Badge { text, width, height: 38.0 }
    }

    fn draw(&self, canvas: &mut Canvas, layout: &Layout, x: f32, y: f32, colors: BadgeColors) {
        let r = self.height / 2.0;
        canvas.fill_round_rect(x, y, self.width, self.height, r, colors.bg);
        let mid = y + r;
        canvas.fill_round_rect(
            x + Self::PAD,
            mid - Self::DOT / 2.0,
            Self::DOT,
            Self::DOT,
            Self::DOT / 2.0,
            colors.fg,
        );
        let tx = x + Self::PAD + Self::DOT + Self::DOT_GAP;
        canvas.draw_line(
            &self.text,
            tx,
            layout.centered_baseline(Weight::Bold, BADGE_PX, mid),
            colors.fg,
        );
    }
}

struct Tags {
    pills: Vec<(Line, f32)>,
    more: Option<Line>,
    height: f32,
}

impl Tags {
    const PAD: f32 = 16.0;
    const GAP: f32 = 12.0;

    fn new(layout: &Layout, keywords: &[String], max: f32) -> Tags {
        let keywords: Vec<String> =
            keywords.iter().map(|k| clean(k)).filter(|k| !k.is_empty()).collect();
        let mut pills: Vec<(Line, f32)> = Vec::new();
        let mut used = 0.0;
        for keyword in &keywords {
            let gap = if pills.is_empty() { 0.0 } else { Self::GAP };
            let room = max - used - gap - 2.0 * Self::PAD;
            let text = format!("#{keyword}");
            let line = layout.line(&text, Weight::Regular, TAG_PX);
            if line.width > room {
                if pills.is_empty() {
                    // A single over-long keyword is cut rather than dropped.
                    let line = layout.fit(&text, Weight::Regular, TAG_PX, room, false);
                    let w = line.width + 2.0 * Self::PAD;
                    pills.push((line, w));
                }
                break;
            }
            let w = line.width + 2.0 * Self::PAD;
            used += gap + w;
            pills.push((line, w));
        }
        // Say how many did not fit, dropping pills until the count fits too.
        let mut more = None;
        while pills.len() < keywords.len() && !pills.is_empty() {
            let line =
                layout.line(&format!("+{}", keywords.len() - pills.len()), Weight::Bold, TAG_PX);
            let used: f32 =
                pills.iter().map(|(_, w)| w).sum::<f32>() + Self::GAP * pills.len() as f32;
            if used + line.width <= max {
                more = Some(line);
                break;
            }
            pills.pop();
        }
        Tags { pills, more, height: 40.0 }
    }

    fn draw(&self, canvas: &mut Canvas, layout: &Layout, left: f32, top: f32) {
        let c = &layout.theme.colors;
        let mid = top + self.height / 2.0;
        let baseline = layout.centered_baseline(Weight::Regular, TAG_PX, mid);
        let mut x = left;
        for (line, w) in &self.pills {
            canvas.fill_round_rect(x, top, *w, self.height, 8.0, c.tag_bg);
            canvas.draw_line(line, x + Self::PAD, baseline, c.tag_text);
            x += w + Self::GAP;
        }
        if let Some(more) = &self.more {
            let baseline = layout.centered_baseline(Weight::Bold, TAG_PX, mid);
            canvas.draw_line(more, x, baseline, c.muted);
        }
    }
}

/// The row of facts at the bottom: an uppercase label over a value, cells divided by rules.
struct Facts {
    cells: Vec<(Line, Line, f32)>,
    height: f32,
}

impl Facts {
    const GAP: f32 = 56.0;
    const LABEL_GAP: f32 = 8.0;

    fn new(layout: &Layout, card: &CardData) -> Facts {
        let mut raw: Vec<(&str, String, f32)> = Vec::new();
        if let Some(license) = card.license.as_deref().map(clean).filter(|l| !l.is_empty()) {
            raw.push(("LICENSE", license, LICENSE_MAX));
        }
        raw.push(("SIZE", format_size(card.compressed_size), f32::INFINITY));
        if let Some(lines) = card.lines_of_code {
            raw.push(("LINES OF CODE", format_count(lines), f32::INFINITY));
        }
        if let Some(releases) = card.releases {
            raw.push(("RELEASES", format_count(releases), f32::INFINITY));
        }
        // Cells go left to right; a value is cut to the room left, and a cell whose label
        // does not fit is left out (only absurd values get there).
        let mut cells = Vec::new();
        let mut x = 0.0;
        for (label, value, max) in raw {
            let room = CONTENT.width() - x;
            let label = layout.line(label, Weight::Bold, LABEL_PX);
            if label.width > room {
                break;
            }
            let value = layout.fit(&value, Weight::Bold, VALUE_PX, max.min(room), false);
            let w = label.width.max(value.width);
            x += w + Self::GAP;
            cells.push((label, value, w));
        }
        let height = layout.line_height(Weight::Bold, LABEL_PX)
            + Self::LABEL_GAP
            + layout.line_height(Weight::Bold, VALUE_PX);
        Facts { cells, height }
    }

    fn draw(&self, canvas: &mut Canvas, layout: &Layout, left: f32, top: f32) {
        let c = &layout.theme.colors;
        let label_base = top + layout.ascent(Weight::Bold, LABEL_PX);
        let value_top = top + layout.line_height(Weight::Bold, LABEL_PX) + Self::LABEL_GAP;
        let value_base = value_top + layout.ascent(Weight::Bold, VALUE_PX);
        let mut x = left;
        for (i, (label, value, w)) in self.cells.iter().enumerate() {
            if i > 0 {
                let rule_x = (x - Self::GAP / 2.0).round();
                canvas.fill_rect_f(rule_x, top + 2.0, 2.0, self.height - 4.0, c.rule);
            }
            canvas.draw_line(label, x, label_base, c.muted);
            canvas.draw_line(value, x, value_base, c.text);
            x += w + Self::GAP;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_crates_io() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1499), "1499 B");
        assert_eq!(format_size(1500), "1.46 KiB");
        assert_eq!(format_size(2048), "2.00 KiB");
        assert_eq!(format_size(10 * 1024), "10.0 KiB");
        assert_eq!(format_size(10 * 1024 - 11), "9.99 KiB");
        assert_eq!(format_size(10 * 1024 - 1), "10.0 KiB");
        assert_eq!(format_size(100 * 1024), "100 KiB");
        assert_eq!(format_size(1024 * 1024 - 1), "1024 KiB");
        assert_eq!(format_size(1500 * 1024), "1.46 MiB");
        assert_eq!(format_size(10 * 1024 * 1024), "10.0 MiB");
        assert_eq!(format_size(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn counts_like_crates_io() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(1499), "1499");
        assert_eq!(format_count(1500), "1.5K");
        assert_eq!(format_count(2000), "2K");
        assert_eq!(format_count(9_960), "10K");
        assert_eq!(format_count(10_000), "10K");
        assert_eq!(format_count(999_999), "1000K");
        assert_eq!(format_count(1_500_000), "1.5M");
        assert_eq!(format_count(u64::MAX), "18E");
    }

    #[test]
    fn whitespace_collapses_and_controls_show() {
        assert_eq!(clean("  a \t\n b  "), "a b");
        assert_eq!(clean("MIT\u{7}"), "MIT\u{FFFD}");
        assert_eq!(clean(" \n "), "");
    }

    fn layout_with<R>(f: impl FnOnce(&Layout) -> R) -> R {
        let theme = CardTheme::default_theme().unwrap();
        f(&Layout { theme: &theme })
    }

    #[test]
    fn kerning_is_applied() {
        layout_with(|l| {
            let pair = l.line("AV", Weight::Regular, 40.0).width;
            let apart =
                l.line("A", Weight::Regular, 40.0).width + l.line("V", Weight::Regular, 40.0).width;
            assert!(pair < apart, "{pair} vs {apart}");
        });
    }

    #[test]
    fn truncation_keeps_whole_clusters() {
        layout_with(|l| {
            let text = "e\u{301}".repeat(200); // é as e + combining acute
            let line = l.fit(&text, Weight::Bold, 40.0, 300.0, false);
            assert!(line.width <= 300.0);
            // Every base glyph keeps its mark: glyph count is even, plus one for "…".
            assert_eq!(line.glyphs.len() % 2, 1);
            let delta = l.fit(&"Δ".repeat(100), Weight::Regular, 30.0, 100.0, false);
            assert!(delta.width <= 100.0);
        });
    }

    #[test]
    fn wrap_limits_lines_and_breaks_long_words() {
        layout_with(|l| {
            let lines = l.wrap(&"word ".repeat(500), Weight::Regular, DESC_PX, 600.0, 3);
            assert_eq!(lines.len(), 3);
            assert!(lines.iter().all(|line| line.width <= 600.0));
            let lines = l.wrap(&"x".repeat(300), Weight::Regular, DESC_PX, 600.0, 3);
            assert_eq!(lines.len(), 3);
            assert!(lines.iter().all(|line| line.width <= 600.0 && !line.glyphs.is_empty()));
            assert_eq!(l.wrap("short", Weight::Regular, DESC_PX, 600.0, 3).len(), 1);
        });
    }

    #[test]
    fn missing_glyphs_get_a_box_per_cluster() {
        layout_with(|l| {
            // A ZWJ family is one cluster → one box; the variation selector draws nothing.
            let line = l.line("👩\u{200D}👩\u{200D}👧", Weight::Regular, 30.0);
            assert_eq!(line.glyphs.len(), 1);
            assert!(matches!(line.glyphs[0], Piece::Missing { .. }));
            let line = l.line("中文", Weight::Regular, 30.0);
            assert_eq!(
                line.glyphs.iter().filter(|p| matches!(p, Piece::Missing { .. })).count(),
                2
            );
            assert!(line.width > 0.0);
        });
    }
}
