//! How long crates.io's publish rate limits make a whole workspace's release take.
//!
//! crates.io keeps one token bucket per user and action (rust-lang/crates.io,
//! `src/rate_limiter.rs`, `LimitedAction::default_burst` and `default_rate_seconds`): a new
//! crate takes a token from a bucket of 5 refilled with one every 10 minutes; a new version
//! of an existing crate from a bucket of 30 refilled with one every minute. A publish with
//! no token left is refused (`429 Too Many Requests`) until the next refill. The estimate
//! assumes full buckets (nothing published in the hour before) and the default limits
//! (crates.io can raise them for a user on request).

use serde::Serialize;

/// One bucket's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Publishes that go through at once.
    pub burst: u64,
    /// Seconds until one more token.
    pub every: u64,
}

pub const NEW_CRATE: Limit = Limit { burst: 5, every: 600 };
pub const NEW_VERSION: Limit = Limit { burst: 30, every: 60 };

/// Which bucket a publish takes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publish {
    NewCrate,
    NewVersion,
}

/// `workspace.publish_time` of `report.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub new_crates: usize,
    pub new_versions: usize,
    /// Seconds spent waiting for tokens, publishing in the plan's order.
    pub wait_seconds: u64,
    /// The limits used, as a sentence with their source.
    pub basis: &'static str,
}

pub const BASIS: &str = "crates.io's default limits (rust-lang/crates.io, src/rate_limiter.rs): new crates 5 at once then 1 every 10 minutes; new versions 30 at once then 1 every minute; buckets assumed full";

struct Bucket {
    limit: Limit,
    tokens: u64,
    /// When `tokens` was last topped up.
    refilled: u64,
}

impl Bucket {
    fn new(limit: Limit) -> Bucket {
        Bucket { limit, tokens: limit.burst, refilled: 0 }
    }

    /// Takes a token at `now` or later; returns when.
    fn take(&mut self, now: u64) -> u64 {
        let mut now = now;
        loop {
            let refills = (now - self.refilled) / self.limit.every;
            self.tokens = (self.tokens + refills).min(self.limit.burst);
            self.refilled += refills * self.limit.every;
            if self.tokens > 0 {
                self.tokens -= 1;
                return now;
            }
            now = self.refilled + self.limit.every;
        }
    }
}

/// The wait for publishing `plan` in order, each taking from its bucket.
pub fn estimate(plan: &[Publish]) -> Estimate {
    let (mut new, mut update) = (Bucket::new(NEW_CRATE), Bucket::new(NEW_VERSION));
    let mut now = 0;
    for publish in plan {
        now = match publish {
            Publish::NewCrate => new.take(now),
            Publish::NewVersion => update.take(now),
        };
    }
    Estimate {
        new_crates: plan.iter().filter(|p| **p == Publish::NewCrate).count(),
        new_versions: plan.iter().filter(|p| **p == Publish::NewVersion).count(),
        wait_seconds: now,
        basis: BASIS,
    }
}

impl Estimate {
    /// `Publishing 2 new crates and 12 new versions waits about 10 minutes on crates.io's
    /// rate limits.`
    pub fn sentence(&self) -> String {
        use crate::base::format::plural;
        let what = match (self.new_crates, self.new_versions) {
            (0, 0) => return "Nothing in the plan is left to publish.".to_owned(),
            (crates, 0) => plural(crates, "new crate"),
            (0, versions) => plural(versions, "new version"),
            (crates, versions) => {
                format!("{} and {}", plural(crates, "new crate"), plural(versions, "new version"))
            }
        };
        match self.wait_seconds {
            0 => format!("Publishing {what} fits within crates.io's rate limits: no wait."),
            wait => {
                format!("Publishing {what} waits {} on crates.io's rate limits.", describe(wait))
            }
        }
    }
}

/// `about 40 minutes`, `under a minute`.
pub fn describe(seconds: u64) -> String {
    match seconds {
        0 => "no wait".to_owned(),
        1..60 => "under a minute".to_owned(),
        60..7200 => format!("about {} minutes", seconds.div_ceil(60)),
        _ => format!("about {:.1} hours", seconds as f64 / 3600.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills() {
        use Publish::*;
        assert_eq!(estimate(&[NewCrate; 5]).wait_seconds, 0);
        assert_eq!(estimate(&[NewCrate; 6]).wait_seconds, 600);
        assert_eq!(estimate(&[NewCrate; 8]).wait_seconds, 1800);
        assert_eq!(estimate(&[NewVersion; 30]).wait_seconds, 0);
        assert_eq!(estimate(&[NewVersion; 45]).wait_seconds, 15 * 60);
        // The buckets are separate, but publishing is in order: a wait holds up the rest.
        let mut plan = vec![NewCrate; 6];
        plan.extend([NewVersion; 3]);
        let estimate = estimate(&plan);
        assert_eq!(
            (estimate.new_crates, estimate.new_versions, estimate.wait_seconds),
            (6, 3, 600)
        );
        assert_eq!(describe(600), "about 10 minutes");
        assert_eq!(
            estimate.sentence(),
            "Publishing 6 new crates and 3 new versions waits about 10 minutes on crates.io's rate limits."
        );
        assert_eq!(describe(0), "no wait");
    }
}
