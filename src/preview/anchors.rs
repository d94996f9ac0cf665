//! README heading ids as crates.io gives them (comrak's `header_ids`, which crates.io runs
//! with the `user-content-` prefix its sanitizer adds), so a README's own table of contents
//! works on the preview as on crates.io.

use std::sync::OnceLock;

/// The ids crates.io (comrak's `header_ids`) gives a README's headings: the heading's text
/// lower-cased, everything but letters, marks, numbers, `_`, `-` and spaces dropped, spaces
/// made `-`; a repeated one gets `-1`, `-2`, …
#[derive(Default)]
pub struct Anchors(std::collections::HashSet<String>);

impl Anchors {
    /// The id of a heading whose text is `title`.
    pub fn slug(&mut self, title: &str) -> String {
        static REJECTED: OnceLock<regex::Regex> = OnceLock::new();
        let rejected = REJECTED
            .get_or_init(|| regex::Regex::new(r"[^\p{L}\p{M}\p{N}\p{Pc} -]").expect("valid"));
        let base = rejected.replace_all(&title.to_lowercase(), "").replace(' ', "-");
        let mut slug = base.clone();
        let mut n = 0;
        while self.0.contains(&slug) {
            n += 1;
            slug = format!("{base}-{n}");
        }
        self.0.insert(slug.clone());
        slug
    }
}
