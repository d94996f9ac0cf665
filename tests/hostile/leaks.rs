//! Every text that reaches an output is redacted and made visible: diffs, whole-run
//! errors, terminal lines, identifiers.
