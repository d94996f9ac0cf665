//! Time per preview card: `cargo bench --bench card`.
//!
//! Draws 100 cards of the test samples (long names, unicode, emoji, empty fields, …) and 100
//! typical cards with one theme (fonts parsed once), and prints the mean per card.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use cargo_readiness::site::card::{CardTheme, draw};

fn main() {
    let theme = CardTheme::default_theme().expect("the embedded fonts parse");
    let samples: Vec<_> = common::cards::all().into_iter().map(|(_, data)| data).collect();
    for data in &samples {
        draw(data, &theme).expect("a card draws"); // warm up
    }
    const N: usize = 100;
    let start = Instant::now();
    let mut bytes = 0;
    for i in 0..N {
        bytes += draw(&samples[i % samples.len()], &theme).expect("a card draws").len();
    }
    let mean = start.elapsed().as_secs_f64() * 1000.0 / N as f64;
    println!(
        "{N} cards of {} kinds: {mean:.2} ms per card, {} KiB each",
        samples.len(),
        bytes / N / 1024
    );
    let typical = common::cards::typical();
    let start = Instant::now();
    for _ in 0..N {
        draw(&typical, &theme).expect("a card draws");
    }
    let mean = start.elapsed().as_secs_f64() * 1000.0 / N as f64;
    println!("{N} typical cards: {mean:.2} ms per card");
}
