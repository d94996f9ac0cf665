//! Test helpers shared inside the demo workspace.

/// A fixed sample for tests.
pub fn sample() -> [u64; 3] {
    [1, demo_core::clamp(5, 0, 3) as u64, 9]
}
