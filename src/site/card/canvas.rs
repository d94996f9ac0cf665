//! The pixels: every draw call goes through a clip rectangle, so nothing lands outside
//! the region the layout gave it.

use ab_glyph::{Font, Glyph, point};

use super::text::{Layout, Line};
use super::*;

/// An RGB pixel buffer whose every write is clipped to `clip`.
pub(super) struct Canvas<'t> {
    pub(super) pixels: Vec<u8>,
    pub(super) clip: Region,
    pub(super) theme: &'t CardTheme,
}

impl<'t> Canvas<'t> {
    pub(super) fn new(theme: &'t CardTheme) -> Canvas<'t> {
        let background = theme.colors.background;
        let mut pixels = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
        for _ in 0..WIDTH * HEIGHT {
            pixels.extend_from_slice(&background);
        }
        Canvas { pixels, clip: full(), theme }
    }

    pub(super) fn blend(&mut self, x: i32, y: i32, color: Rgb, alpha: f32) {
        if !self.clip.contains(x, y) || alpha <= 0.0 {
            return;
        }
        let a = alpha.min(1.0);
        let i = (y as usize * WIDTH as usize + x as usize) * 3;
        for (dst, &src) in self.pixels[i..i + 3].iter_mut().zip(&color) {
            let d = f32::from(*dst);
            *dst = (d + (f32::from(src) - d) * a).round() as u8;
        }
    }

    pub(super) fn fill_rect(&mut self, r: Region, color: Rgb) {
        for y in r.y0..r.y1 {
            for x in r.x0..r.x1 {
                self.blend(x, y, color, 1.0);
            }
        }
    }

    pub(super) fn fill_rect_f(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        let r = Region {
            x0: x.round() as i32,
            y0: y.round() as i32,
            x1: (x + w).round() as i32,
            y1: (y + h).round() as i32,
        };
        self.fill_rect(r, color);
    }

    /// An anti-aliased rounded rectangle (coverage from its signed distance).
    pub(super) fn fill_round_rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        radius: f32,
        color: Rgb,
    ) {
        let r = radius.min(w / 2.0).min(h / 2.0);
        let (cx, cy) = (x + w / 2.0, y + h / 2.0);
        let (hx, hy) = (w / 2.0 - r, h / 2.0 - r);
        for py in (y.floor() as i32)..=((y + h).ceil() as i32) {
            for px in (x.floor() as i32)..=((x + w).ceil() as i32) {
                let qx = (px as f32 + 0.5 - cx).abs() - hx;
                let qy = (py as f32 + 0.5 - cy).abs() - hy;
                let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
                let d = outside + qx.max(qy).min(0.0) - r;
                self.blend(px, py, color, (0.5 - d).clamp(0.0, 1.0));
            }
        }
    }

    pub(super) fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, t: f32, color: Rgb) {
        self.fill_rect_f(x, y, w, t, color);
        self.fill_rect_f(x, y + h - t, w, t, color);
        self.fill_rect_f(x, y + t, t, h - 2.0 * t, color);
        self.fill_rect_f(x + w - t, y + t, t, h - 2.0 * t, color);
    }

    pub(super) fn draw_line(&mut self, line: &Line, x: f32, baseline: f32, color: Rgb) {
        let theme = self.theme;
        let chain = theme.chain(line.weight);
        let x = x.round();
        for piece in &line.glyphs {
            match *piece {
                Piece::Glyph { font, id, x: gx } => {
                    let f = &chain[font];
                    let glyph = Glyph {
                        id,
                        scale: Layout::scale(f, line.px),
                        position: point(x + gx, baseline),
                    };
                    let Some(outlined) = f.outline_glyph(glyph) else { continue };
                    let b = outlined.px_bounds();
                    let (bx, by) = (b.min.x as i32, b.min.y as i32);
                    outlined.draw(|dx, dy, coverage| {
                        self.blend(bx + dx as i32, by + dy as i32, color, coverage);
                    });
                }
                Piece::Missing { x: gx, width } => {
                    // A visible box where a glyph no font has would go, as wide as its advance.
                    let t = (line.px / 16.0).max(2.0).round();
                    let h = (line.px * 0.72).round();
                    let w = (width - line.px * 0.16).max(t * 2.0 + 1.0).round();
                    let left = (x + gx + (width - w) / 2.0).round();
                    self.stroke_rect(left, baseline - h, w, h, t, color);
                }
            }
        }
    }

    pub(super) fn encode(self) -> Result<Vec<u8>, CardError> {
        let mut out = Vec::with_capacity(64 * 1024);
        PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(&self.pixels, WIDTH, HEIGHT, image::ExtendedColorType::Rgb8)
            .map_err(|e| CardError::Encode(e.to_string()))?;
        Ok(out)
    }
}
