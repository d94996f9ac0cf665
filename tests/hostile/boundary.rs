//! The repository boundary: member manifests, `--out` and its marker, deep trees, one
//! crate's bad settings.
