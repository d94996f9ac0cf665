//! Text layout without shaping: advances plus kerning, greedy word wrapping, truncation by
//! grapheme cluster with "…", a font fallback chain, and a replacement box for characters
//! no font has.

use ab_glyph::{Font, FontArc, GlyphId, PxScale, ScaleFont};
use unicode_segmentation::UnicodeSegmentation;

use super::*;

/// Whitespace collapsed to single spaces; other control characters made visible as U+FFFD.
pub(super) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_INPUT));
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.extend(word.chars().map(|ch| if ch.is_control() { '\u{FFFD}' } else { ch }));
        if out.len() > MAX_INPUT {
            break;
        }
    }
    out
}

/// Input beyond this many bytes can never be seen on the card; it is cut (at a grapheme
/// boundary) before layout, and the cut is shown with "…".
pub(super) const MAX_INPUT: usize = 4096;

pub(super) fn cap_input(text: &str) -> (&str, bool) {
    if text.len() <= MAX_INPUT {
        return (text, false);
    }
    let mut end = 0;
    for (i, g) in text.grapheme_indices(true) {
        if i + g.len() > MAX_INPUT {
            break;
        }
        end = i + g.len();
    }
    (&text[..end], true)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// One positioned glyph, or a replacement box for a character that no font has.
#[derive(Clone, Debug)]
pub(super) enum Piece {
    Glyph { font: usize, id: GlyphId, x: f32 },
    Missing { x: f32, width: f32 },
}

/// A laid-out single line of text.
#[derive(Clone, Debug)]
pub(super) struct Line {
    pub(super) weight: Weight,
    pub(super) px: f32,
    pub(super) glyphs: Vec<Piece>,
    pub(super) width: f32,
}

/// The measurements of a line's grapheme clusters, for breaking and truncation.
pub(super) struct Measured {
    pub(super) line: Line,
    /// For each grapheme cluster: its end offset in the text, and the pen position after it.
    pub(super) clusters: Vec<(usize, f32)>,
}

pub(super) struct Layout<'t> {
    pub(super) theme: &'t CardTheme,
}

impl Layout<'_> {
    pub(super) fn scale(font: &FontArc, px: f32) -> PxScale {
        // `px` is the em size, as in CSS; ab_glyph's scale is ascent-to-descent height.
        let upem = font.units_per_em().unwrap_or(1000.0);
        PxScale::from(px * font.height_unscaled() / upem)
    }

    pub(super) fn main(&self, weight: Weight) -> &FontArc {
        &self.theme.chain(weight)[0]
    }

    pub(super) fn ascent(&self, weight: Weight, px: f32) -> f32 {
        let font = self.main(weight);
        font.as_scaled(Self::scale(font, px)).ascent()
    }

    pub(super) fn line_height(&self, weight: Weight, px: f32) -> f32 {
        let font = self.main(weight);
        let scaled = font.as_scaled(Self::scale(font, px));
        scaled.ascent() - scaled.descent()
    }

    /// The baseline that centres the font's cap height on `mid`.
    pub(super) fn centered_baseline(&self, weight: Weight, px: f32, mid: f32) -> f32 {
        let font = self.main(weight);
        let scaled = font.as_scaled(Self::scale(font, px));
        let cap = font
            .outline(font.glyph_id('H'))
            .map(|o| o.bounds.min.y * scaled.v_scale_factor())
            .unwrap_or(scaled.ascent() * 0.7);
        (mid + cap / 2.0).round()
    }

    pub(super) fn measure(&self, text: &str, weight: Weight, px: f32) -> Measured {
        let chain = self.theme.chain(weight);
        let scaled: Vec<_> = chain.iter().map(|f| f.as_scaled(Self::scale(f, px))).collect();
        let em = px;
        let mut glyphs = Vec::new();
        let mut clusters = Vec::new();
        let mut pen = 0.0f32;
        let mut prev: Option<(usize, GlyphId)> = None;
        let covering = |ch: char| chain.iter().position(|f| f.glyph_id(ch).0 != 0);

        for (start, cluster) in text.grapheme_indices(true) {
            let base = cluster.chars().find(|&ch| !is_ignorable(ch));
            if let Some(base) = base {
                match covering(base) {
                    None => {
                        // No font has the cluster's base: one box for the whole cluster.
                        glyphs.push(Piece::Missing { x: pen, width: em });
                        pen += em;
                        prev = None;
                    }
                    Some(home) => {
                        for ch in cluster.chars().filter(|&ch| !is_ignorable(ch)) {
                            let font = if chain[home].glyph_id(ch).0 != 0 {
                                Some(home)
                            } else {
                                covering(ch)
                            };
                            let Some(font) = font else {
                                let width = em * 0.6;
                                glyphs.push(Piece::Missing { x: pen, width });
                                pen += width;
                                prev = None;
                                continue;
                            };
                            let id = chain[font].glyph_id(ch);
                            if let Some((prev_font, prev_id)) = prev
                                && prev_font == font
                            {
                                pen += scaled[font].kern(prev_id, id);
                            }
                            glyphs.push(Piece::Glyph { font, id, x: pen });
                            pen += scaled[font].h_advance(id);
                            prev = Some((font, id));
                        }
                    }
                }
            }
            clusters.push((start + cluster.len(), pen));
        }
        Measured { line: Line { weight, px, glyphs, width: pen.max(0.0) }, clusters }
    }

    pub(super) fn line(&self, text: &str, weight: Weight, px: f32) -> Line {
        self.measure(text, weight, px).line
    }

    /// The text on one line: whole if it fits in `max`, else cut by grapheme clusters with "…"
    /// appended. `force` appends "…" even when the text fits (more text followed it).
    pub(super) fn fit(&self, text: &str, weight: Weight, px: f32, max: f32, force: bool) -> Line {
        let (text, capped) = cap_input(text);
        let force = force || capped;
        let measured = self.measure(text, weight, px);
        if !force && measured.line.width <= max {
            return measured.line;
        }
        let ellipsis = self.line("…", weight, px).width;
        // The longest prefix whose advance leaves room for "…", then re-measured with the
        // ellipsis in place (kerning), dropping one cluster at a time until it fits.
        let mut k = measured.clusters.partition_point(|&(_, x)| x + ellipsis <= max);
        loop {
            let end = if k == 0 { 0 } else { measured.clusters[k - 1].0 };
            let candidate = format!("{}…", text[..end].trim_end());
            let line = self.line(&candidate, weight, px);
            if line.width <= max || k == 0 {
                return line;
            }
            k -= 1;
        }
    }

    /// Greedy word wrap into at most `max_lines` lines of width `max`; words wider than a line
    /// are broken between grapheme clusters; text left over ends the last line with "…".
    pub(super) fn wrap(
        &self,
        text: &str,
        weight: Weight,
        px: f32,
        max: f32,
        max_lines: usize,
    ) -> Vec<Line> {
        let (text, capped) = cap_input(text);
        let mut lines = Vec::new();
        let mut start = 0; // byte offset where the current line starts
        while start < text.len() && lines.len() < max_lines {
            let rest = &text[start..];
            if lines.len() + 1 == max_lines {
                lines.push(self.fit(rest, weight, px, max, capped));
                break;
            }
            let end = self.break_line(rest, weight, px, max);
            lines.push(self.line(rest[..end].trim_end(), weight, px));
            start += end;
            start += text[start..].len() - text[start..].trim_start().len();
        }
        lines
    }

    /// How many bytes of `text` go on a line of width `max` (at least one grapheme cluster).
    pub(super) fn break_line(&self, text: &str, weight: Weight, px: f32, max: f32) -> usize {
        let mut best = 0;
        let mut from = 0;
        // Try whole words, one more each time.
        while from < text.len() {
            let end = text[from..].find(' ').map_or(text.len(), |i| from + i);
            if self.line(&text[..end], weight, px).width > max {
                break;
            }
            best = end;
            if end == text.len() {
                return end;
            }
            from = end + 1;
        }
        if best > 0 {
            return best;
        }
        // The first word alone is too wide: break it between clusters.
        let measured = self.measure(text, weight, px);
        let k = measured.clusters.partition_point(|&(_, x)| x <= max).max(1);
        measured.clusters[k - 1].0
    }
}

/// Default-ignorable code points (invisible by definition): joiners, variation selectors,
/// bidirectional controls, tags, and the like.
pub(super) fn is_ignorable(ch: char) -> bool {
    matches!(ch as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}
