//! What earlier runs rendered (READMEs, pages, cards), by a key over everything that decides
//! the bytes: this tool's version, what was rendered, the theme's files and the input. A
//! re-run of an unchanged workspace takes them from here instead of rendering again; the
//! stages only read, and return what they rendered anew for the caller to keep.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Rendered files known from earlier runs.
pub trait RenderMemo: Sync {
    fn get(&self, key: &str) -> Option<Vec<u8>>;
}

/// No memory of earlier runs.
pub struct NoMemo;

impl RenderMemo for NoMemo {
    fn get(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
}

/// The key of a file rendered by `what` (a template or the card) from `view` with the
/// theme `theme` (its identity).
pub fn key(what: &str, theme: &str, view: &impl Serialize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION"), "\n"));
    hasher.update(what.as_bytes());
    hasher.update([0]);
    hasher.update(theme.as_bytes());
    hasher.update([0]);
    // A view that cannot be serialized cannot be rendered either: an empty key part only
    // makes the memo miss, and rendering reports the error.
    let _ = serde_json::to_writer(HashWriter(&mut hasher), view);
    crate::base::format::hex(&hasher.finalize())
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
