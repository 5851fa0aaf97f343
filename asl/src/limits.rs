//! The numeric limits AWS sets on the States Language, in one place: the validator rejects a definition past them
//! and the executor saturates every duration it computes at run time at them, so no number from a definition or an
//! input can overflow a clock.
//!
//! Sources (AWS Step Functions developer guide): "Wait workflow state" (`Seconds`: an integer from 0 to 99999999),
//! "Task workflow state" (`TimeoutSeconds`/`HeartbeatSeconds`: positive integers, default 99999999), "Handling
//! errors in Step Functions workflows" (`IntervalSeconds` and `MaxAttempts` at most 99999999, `MaxDelaySeconds`
//! below 31622401, `BackoffRate` at least 1.0), and "Step Functions service quotas" (a Standard execution runs for at
//! most one year). AWS documents no upper bound for `BackoffRate`; stepfn's validator takes [`MAX_SECONDS`] as one
//! (a larger rate reaches the longest possible wait on the second retry anyway), and the executor saturates the wait.

/// The largest number of seconds any ASL field may give: Wait `Seconds`, `TimeoutSeconds`, `HeartbeatSeconds`,
/// `IntervalSeconds` (and the largest `MaxAttempts`).
pub const MAX_SECONDS: u64 = 99_999_999;

/// The longest a Standard execution runs: one year ("Step Functions service quotas": an execution past it fails
/// with `States.Timeout`), also when the definition gives no `TimeoutSeconds`.
pub const MAX_EXECUTION_SECONDS: u64 = 365 * 24 * 60 * 60;

/// The deepest nesting of arrays and objects in any JSON stepfn reads or builds: a definition, an input, a mock file,
/// a payload between states. serde_json's own limit, the depth its recursive parser, serializer and `Drop` stay
/// within on a thread's smallest stack; AWS's (Jackson's default, 1,000) is higher, and no real payload or
/// definition comes near either (32 Parallel states nested in each other take 128 levels).
pub const MAX_JSON_DEPTH: usize = 128;

/// The largest `MaxDelaySeconds` of a retrier.
pub const MAX_DELAY_SECONDS: u64 = 31_622_400;

/// The largest duration the executor ever waits or adds to a clock: [`MAX_SECONDS`].
pub const fn max_duration() -> std::time::Duration {
    std::time::Duration::from_secs(MAX_SECONDS)
}

/// `seconds` as a duration, saturating at [`max_duration`] (negative, NaN: zero; infinite or huge: the maximum).
pub fn saturating_duration(seconds: f64) -> std::time::Duration {
    if seconds.is_nan() || seconds <= 0.0 {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::try_from_secs_f64(seconds.min(MAX_SECONDS as f64))
        .unwrap_or_else(|_| max_duration())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_saturate_instead_of_overflowing() {
        assert_eq!(saturating_duration(1e300), max_duration());
        assert_eq!(saturating_duration(f64::INFINITY), max_duration());
        assert_eq!(saturating_duration(f64::NAN), std::time::Duration::ZERO);
        assert_eq!(saturating_duration(-5.0), std::time::Duration::ZERO);
        assert_eq!(saturating_duration(1.5).as_millis(), 1500);
    }
}
