//! Formatting helpers for the cargo-readiness demo workspace.

/// The mean of `values` as text, or `"n/a"`.
pub fn describe_mean(values: &[u64]) -> String {
    match demo_core::checked_mean(values) {
        Some(mean) => format!("mean {mean}"),
        None => "n/a".to_owned(),
    }
}
