//! Whole-card tests: size and format, determinism, the ink boundary, themes, snapshots.
mod common;

use cargo_readiness::site::card::{
    CONTENT, CardData, CardError, CardTheme, FOOTER, HEADER, HEADER_INK, HEIGHT, Verdict, WIDTH,
    draw,
};
use image::RgbImage;
use std::path::PathBuf;

fn theme() -> CardTheme {
    CardTheme::default_theme().expect("default theme")
}

fn decode(png: &[u8]) -> RgbImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png).expect("valid PNG").to_rgb8()
}

#[test]
fn png_of_the_right_size_and_deterministic() {
    let theme = theme();
    for (name, data) in common::cards::all() {
        let a = draw(&data, &theme).unwrap();
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: PNG signature");
        let img = decode(&a);
        assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT), "{name}");
        let b = draw(&data, &theme).unwrap();
        assert!(a == b, "{name}: same input, same bytes");
    }
}

#[test]
fn same_bytes_from_many_threads() {
    fn is_sync<T: Sync + Send>() {}
    is_sync::<CardTheme>();
    let theme = theme();
    let data = common::cards::typical();
    let expected = draw(&data, &theme).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| draw(&data, &theme).unwrap())).collect();
        for h in handles {
            assert!(h.join().unwrap() == expected);
        }
    });
}

/// Every pixel outside [`CONTENT`] and [`HEADER_INK`] is a flat fill: the header colour in the
/// header band, the footer colour in the footer stripe, the background everywhere else.
fn stray_pixels(img: &RgbImage, theme: &CardTheme) -> Vec<(i32, i32, [u8; 3])> {
    let c = &theme.colors;
    let mut bad = Vec::new();
    for (x, y, px) in img.enumerate_pixels() {
        let (x, y) = (x as i32, y as i32);
        if CONTENT.contains(x, y) || HEADER_INK.contains(x, y) {
            continue;
        }
        let expected = if HEADER.contains(x, y) {
            c.header_bg
        } else if FOOTER.contains(x, y) {
            c.footer
        } else {
            c.background
        };
        if px.0 != expected {
            bad.push((x, y, px.0));
        }
    }
    bad
}

fn assert_ink_inside(name: &str, img: &RgbImage, theme: &CardTheme) {
    let bad = stray_pixels(img, theme);
    assert!(
        bad.is_empty(),
        "{name}: {} pixels drawn outside the ink regions, e.g. {:?}",
        bad.len(),
        &bad[..bad.len().min(5)]
    );
}

#[test]
fn nothing_drawn_outside_the_content_box() {
    let theme = theme();
    for (name, data) in common::cards::all() {
        let img = decode(&draw(&data, &theme).unwrap());
        assert_ink_inside(name, &img, &theme);
        // And something was drawn inside.
        let any = (CONTENT.y0..CONTENT.y1).any(|y| {
            (CONTENT.x0..CONTENT.x1)
                .any(|x| img.get_pixel(x as u32, y as u32).0 != theme.colors.background)
        });
        assert!(any, "{name}: the content box is empty");
    }
}

#[test]
fn ink_check_catches_a_stray_pixel() {
    let theme = theme();
    let mut img = decode(&draw(&common::cards::base(), &theme).unwrap());
    img.put_pixel(CONTENT.x1 as u32, CONTENT.y0 as u32, image::Rgb([0, 0, 0]));
    assert_eq!(stray_pixels(&img, &theme), vec![(CONTENT.x1, CONTENT.y0, [0, 0, 0])]);
}

#[test]
fn every_verdict_draws_differently() {
    let theme = theme();
    let cards: Vec<Vec<u8>> =
        [Verdict::Ready, Verdict::Warnings, Verdict::Blocked, Verdict::Skipped]
            .into_iter()
            .map(|verdict| draw(&CardData { verdict, ..common::cards::base() }, &theme).unwrap())
            .collect();
    for i in 0..cards.len() {
        for j in i + 1..cards.len() {
            assert!(cards[i] != cards[j]);
        }
    }
}

#[test]
fn custom_fonts_and_invalid_fonts() {
    let err = CardTheme::with_fonts(b"not a font".to_vec(), dejavu::sans::bold().to_vec())
        .expect_err("garbage is not a font");
    assert!(matches!(err, CardError::InvalidFont { which: "regular" }));
    assert!(!err.to_string().contains('\n'));
    let err = CardTheme::with_fonts(dejavu::sans::regular().to_vec(), Vec::new()).unwrap_err();
    assert!(matches!(err, CardError::InvalidFont { which: "bold" }));
    // Truncated font data must not panic either.
    let cut = dejavu::sans::regular()[..5000].to_vec();
    let _ = CardTheme::with_fonts(cut.clone(), cut);

    let condensed = CardTheme::with_fonts(
        dejavu::sans_condensed::regular().to_vec(),
        dejavu::sans_condensed::bold().to_vec(),
    )
    .unwrap();
    let png = draw(&common::cards::unicode(), &condensed).unwrap();
    assert_ink_inside("condensed", &decode(&png), &condensed);
    assert!(png != draw(&common::cards::unicode(), &theme()).unwrap());
}

// ------------------------------------------------------------------------------ snapshots

const SNAPSHOTS: [&str; 4] = ["typical", "minimal", "overflow", "unicode"];
/// A pixel differs when a channel differs by more than this.
const CHANNEL_TOLERANCE: u8 = 24;
/// The share of differing pixels allowed (0.5 %).
const PIXEL_TOLERANCE: f64 = 0.005;

#[test]
fn snapshots() {
    let update = std::env::var_os("UPDATE_CARD_SNAPSHOTS").is_some_and(|v| v == "1");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let theme = theme();
    let samples = common::cards::all();
    let mut failures = Vec::new();
    for name in SNAPSHOTS {
        let data = &samples.iter().find(|(n, _)| *n == name).unwrap().1;
        let png = draw(data, &theme).unwrap();
        let path = dir.join(format!("{name}.png"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &png).unwrap();
            continue;
        }
        let Ok(stored) = std::fs::read(&path) else {
            failures.push(format!(
                "{name}: no snapshot at {} (run with UPDATE_CARD_SNAPSHOTS=1)",
                path.display()
            ));
            continue;
        };
        let (want, got) = (decode(&stored), decode(&png));
        let differing = want
            .pixels()
            .zip(got.pixels())
            .filter(|(a, b)| a.0.iter().zip(b.0).any(|(x, y)| x.abs_diff(y) > CHANNEL_TOLERANCE))
            .count();
        let share = differing as f64 / f64::from(WIDTH * HEIGHT);
        if share > PIXEL_TOLERANCE {
            let actual = dir.join(format!("{name}.actual.png"));
            std::fs::write(&actual, &png).unwrap();
            failures.push(format!(
                "{name}: {:.2}% of pixels differ (limit {:.2}%); see {}",
                share * 100.0,
                PIXEL_TOLERANCE * 100.0,
                actual.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
