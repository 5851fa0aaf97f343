//! Error handling of a state: which `Retry`/`Catch` entry matches a failure (with AWS's wildcards and the terminal
//! errors they do not match), how long to back off, and the error output a catcher hands on.

use crate::failure::names;
use crate::intrinsics::Entropy;
use crate::machine::Retrier;
use crate::Failure;
use serde_json::{json, Map, Value};
use std::sync::Mutex;
use std::time::Duration;

/// Whether an `ErrorEquals` list catches the failure. `States.ALL` catches everything except the terminal
/// `States.Runtime` and `States.DataLimitExceeded`; `States.TaskFailed` everything but `States.Timeout` too.
pub(crate) fn matches(errors: &[String], failure: &Failure) -> bool {
    let name = failure.error_name();
    let terminal = name == names::RUNTIME || name == names::DATA_LIMIT_EXCEEDED;
    errors.iter().any(|e| {
        (failure.error.is_some() && e == name)
            || (!terminal && e == names::ALL)
            || (!terminal
                && e == names::TASK_FAILED
                && name != names::TIMEOUT
                && failure.error.is_some())
    })
}

/// The wait before the next attempt, if the first retrier matching the failure has attempts left.
pub(crate) fn retry_delay(
    retriers: &[Retrier],
    attempts: &mut [u32],
    failure: &Failure,
    entropy: &Mutex<Entropy>,
) -> Option<Duration> {
    let index = retrier_for(retriers, failure)?;
    let attempt = attempts[index];
    if attempt >= retriers[index].max_attempts {
        return None;
    }
    attempts[index] += 1;
    Some(backoff(&retriers[index], attempt, entropy))
}

/// The position of the first retrier whose `ErrorEquals` matches the failure, if any may retry it.
pub(crate) fn retrier_for(retriers: &[Retrier], failure: &Failure) -> Option<usize> {
    // "A States.Runtime error is not retriable, and will always cause the execution to fail" (AWS, "Handling
    // errors in Step Functions workflows"), even when a retrier names it (found by stepfn-fuzz: such a retrier
    // with 99,999,999 attempts retried a failing Parameters for a virtual year).
    if failure.error_name() == names::RUNTIME {
        return None;
    }
    retriers.iter().position(|r| matches(&r.errors, failure))
}

/// The wait before retry number `attempt + 1`: `IntervalSeconds × BackoffRate^attempt`, at most
/// `MaxDelaySeconds`, scaled by a random fraction under `JitterStrategy: FULL`.
pub(crate) fn backoff(retrier: &Retrier, attempt: u32, entropy: &Mutex<Entropy>) -> Duration {
    // In f64 and saturated: a BackoffRate of 1e300 or seventy doublings give a finite, bounded wait.
    let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
    let mut seconds = retrier.interval_seconds as f64 * retrier.backoff_rate.powi(exponent);
    if let Some(max) = retrier.max_delay_seconds {
        seconds = seconds.min(max as f64);
    }
    if retrier.full_jitter {
        let fraction = entropy.lock().unwrap_or_else(|e| e.into_inner()).fraction();
        seconds *= fraction;
    }
    stepfn_asl::limits::saturating_duration(seconds)
}

/// The error output a Catch hands on: `{"Error": ..., "Cause": ...}`.
pub(crate) fn error_output(failure: &Failure) -> Value {
    failure_fields(failure, "Error", "Cause")
}

/// The details of a `...Failed` history event: `{"error": ..., "cause": ...}`.
pub(crate) fn failure_details(failure: &Failure) -> Value {
    failure_fields(failure, "error", "cause")
}

fn failure_fields(failure: &Failure, error_key: &str, cause_key: &str) -> Value {
    let mut map = Map::new();
    if let Some(error) = &failure.error {
        map.insert(error_key.into(), json!(error));
    }
    if let Some(cause) = &failure.cause {
        map.insert(cause_key.into(), json!(cause));
    }
    Value::Object(map)
}
