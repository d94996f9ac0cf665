//! Checked arithmetic helpers for the cargo-readiness demo workspace.
#![no_std]

/// The mean of `values`, or `None` when there are none or the sum overflows.
///
/// ```
/// assert_eq!(demo_core::checked_mean(&[2, 4, 6]), Some(4));
/// assert_eq!(demo_core::checked_mean(&[]), None);
/// ```
pub fn checked_mean(values: &[u64]) -> Option<u64> {
    let count = u64::try_from(values.len()).ok().filter(|&n| n > 0)?;
    let sum = values.iter().try_fold(0u64, |acc, &v| acc.checked_add(v))?;
    Some(sum / count)
}

/// `value` clamped to `low..=high`.
pub fn clamp(value: i64, low: i64, high: i64) -> i64 {
    value.max(low).min(high)
}
