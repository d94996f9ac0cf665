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
        let pixels = theme.colors.background.repeat((WIDTH * HEIGHT) as usize);
        Canvas { pixels, clip: full(), theme }
    }

    /// A canvas that starts from `pixels` (a whole card, as [`Canvas::pixels`] holds it).
    pub(super) fn from_pixels(theme: &'t CardTheme, pixels: Vec<u8>) -> Canvas<'t> {
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
            *dst = round_to_u8(d + (f32::from(src) - d) * a);
        }
    }

    /// Paints `r` (clipped) with `color`: what blending each pixel at full coverage gives
    /// (`d + (s - d) * 1.0` is `s` exactly), row by row.
    pub(super) fn fill_rect(&mut self, r: Region, color: Rgb) {
        let x0 = r.x0.max(self.clip.x0);
        let x1 = r.x1.min(self.clip.x1);
        let y0 = r.y0.max(self.clip.y0);
        let y1 = r.y1.min(self.clip.y1);
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        for y in y0..y1 {
            let row = y as usize * WIDTH as usize;
            let span = &mut self.pixels[(row + x0 as usize) * 3..(row + x1 as usize) * 3];
            for pixel in span.chunks_exact_mut(3) {
                pixel.copy_from_slice(&color);
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

/// `v.round() as u8` (half away from zero, saturating), without the call into libm that
/// `f32::round` is on a baseline x86-64: the truncation is exact for `0 <= v < 256`, and so
/// is the fraction left (`v - t` of two floats within a factor of two of each other).
fn round_to_u8(v: f32) -> u8 {
    let truncated = v as u8;
    if v - f32::from(truncated) >= 0.5 { truncated.saturating_add(1) } else { truncated }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_rectangle_is_every_pixel_blended_at_full_coverage() {
        let theme = CardTheme::default_theme().unwrap();
        let clips = [full(), HEADER_INK, CONTENT, Region { x0: 5, y0: 700, x1: 2, y1: 900 }];
        let rects = [
            Region { x0: -20, y0: -5, x1: 70, y1: 130 },
            Region { x0: 1100, y0: 600, x1: 1300, y1: 700 },
            Region { x0: 300, y0: 200, x1: 301, y1: 201 },
            Region { x0: 50, y0: 50, x1: 40, y1: 60 },
        ];
        for clip in clips {
            for rect in rects {
                let mut filled = Canvas::new(&theme);
                let mut blended = Canvas::new(&theme);
                // A gradient below, so that a pixel left alone shows.
                for (i, byte) in filled.pixels.iter_mut().enumerate() {
                    *byte = (i % 251) as u8;
                }
                blended.pixels.clone_from(&filled.pixels);
                (filled.clip, blended.clip) = (clip, clip);
                filled.fill_rect(rect, [1, 2, 3]);
                for y in rect.y0..rect.y1 {
                    for x in rect.x0..rect.x1 {
                        blended.blend(x, y, [1, 2, 3], 1.0);
                    }
                }
                assert!(filled.pixels == blended.pixels, "{rect:?} clipped to {clip:?}");
            }
        }
    }

    #[test]
    fn rounding_is_the_standard_library_s() {
        // Every float from -2 to 258 in steps of 1/4096, the halves and their neighbours.
        let mut values: Vec<f32> = (-8192..=1_056_768).map(|i| i as f32 / 4096.0).collect();
        for n in 0..=256 {
            let half = n as f32 + 0.5;
            values.extend([half, half.next_down(), half.next_up(), (n as f32).next_down()]);
        }
        values.extend([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.499_999_97]);
        for v in values {
            assert_eq!(round_to_u8(v), v.round() as u8, "{v}");
        }
    }
}
