//! Past revisions are hostile data: the trees `--baseline` and a stale sign-off's `commit`
//! make the tool read.
