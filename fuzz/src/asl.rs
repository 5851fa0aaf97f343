//! Mutations that know the States Language: turn a state into a Task, give it retriers, timeouts and waits with
//! numbers at the edges, set its paths to odd ones, or nest it inside a Parallel or a Map. Generic JSON mutations
//! mostly produce definitions the validator rejects; these keep more of them valid so the executor runs them.

use crate::corpus::Corpus;
use crate::mutate::mutate_text;
use crate::rng::Rng;
use serde_json::{json, Map, Value};

/// Numbers for seconds, attempts and rates.
const EXTREMES: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "0.5",
    "10.0",
    "1e300",
    "1.5",
    "99999999",
    "100000000",
    "31536000",
    "2147483647",
    "4294967295",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "1e19",
];

const RESOURCES: &[&str] = &[
    "arn:aws:lambda:us-east-1:123456789012:function:Work",
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::sqs:sendMessage",
    "arn:aws:states:us-east-1:123456789012:activity:Review",
];

fn extreme(rng: &mut Rng) -> Value {
    serde_json::from_str(rng.pick_str(EXTREMES)).unwrap_or(Value::Null)
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointers of every state (in branches and item processors too).
fn states(scope: &Value, at: &str, out: &mut Vec<String>) {
    let Some(map) = scope.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in map {
        let here = format!("{at}/States/{}", escape(name));
        out.push(here.clone());
        for (i, branch) in state
            .get("Branches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            states(branch, &format!("{here}/Branches/{i}"), out);
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(key) {
                states(processor, &format!("{here}/{key}"), out);
            }
        }
    }
}

fn retrier(rng: &mut Rng, corpus: &Corpus) -> Value {
    let mut retrier = Map::new();
    let errors = if rng.chance(1, 2) {
        json!(["States.ALL"])
    } else {
        json!([rng.pick(&corpus.errors)])
    };
    retrier.insert("ErrorEquals".into(), errors);
    for key in [
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
    ] {
        if rng.chance(2, 3) {
            retrier.insert(key.into(), extreme(rng));
        }
    }
    if rng.chance(1, 3) {
        retrier.insert(
            "JitterStrategy".into(),
            json!(rng.pick_str(&["FULL", "NONE"])),
        );
    }
    Value::Object(retrier)
}

/// One States Language mutation of `definition` (nothing when it has no state).
pub fn mutate_states(rng: &mut Rng, definition: &mut Value, corpus: &Corpus) {
    let mut pointers = Vec::new();
    states(definition, "", &mut pointers);
    if pointers.is_empty() {
        return;
    }
    let at = rng.pick(&pointers).clone();
    let Some(Value::Object(state)) = definition.pointer_mut(&at) else {
        return;
    };
    match rng.below(9) {
        0 => {
            state.insert("Type".into(), json!("Task"));
            state.insert("Resource".into(), json!(rng.pick_str(RESOURCES)));
            for key in [
                "Result",
                "Seconds",
                "SecondsPath",
                "Timestamp",
                "TimestampPath",
            ] {
                state.shift_remove(key);
            }
        }
        1 | 2 => {
            let retriers: Vec<Value> = (0..rng.log_size(3)).map(|_| retrier(rng, corpus)).collect();
            state.insert("Retry".into(), Value::Array(retriers));
        }
        3 => {
            let key = rng.pick_str(&[
                "TimeoutSeconds",
                "HeartbeatSeconds",
                "TimeoutSecondsPath",
                "HeartbeatSecondsPath",
            ]);
            let value = if key.ends_with("Path") {
                json!(rng.pick_str(&["$.n", "$.seconds", "$.big", "$"]))
            } else {
                extreme(rng)
            };
            state.insert(key.into(), value);
        }
        4 => {
            state.insert("Type".into(), json!("Wait"));
            for key in [
                "Seconds",
                "SecondsPath",
                "Timestamp",
                "TimestampPath",
                "Result",
                "Resource",
            ] {
                state.shift_remove(key);
            }
            match rng.below(3) {
                0 => state.insert("Seconds".into(), extreme(rng)),
                1 => state.insert("SecondsPath".into(), json!(rng.pick(&corpus.paths))),
                _ => state.insert("Timestamp".into(), json!(rng.pick(&corpus.timestamps))),
            };
        }
        5 => {
            let key = rng.pick_str(&["InputPath", "OutputPath", "ResultPath", "ItemsPath"]);
            let path = rng.pick(&corpus.paths).clone();
            let path = if rng.chance(1, 2) {
                mutate_text(rng, &path, corpus)
            } else {
                path
            };
            state.insert(key.into(), json!(path));
        }
        6 | 7 => {
            // Nest the state in a Parallel (or a Map) that takes over its transition.
            let mut inner = std::mem::take(state);
            let next = inner.shift_remove("Next");
            let end = inner.shift_remove("End");
            let terminal = matches!(
                inner.get("Type").and_then(Value::as_str),
                Some("Succeed" | "Fail" | "Choice")
            );
            if !terminal {
                inner.insert("End".into(), json!(true));
            }
            // The inner name must be unique in the whole machine.
            let unique = format!("Inner{}", rng.next_u64() % 1_000_000);
            let mut states = Map::new();
            states.insert(unique.clone(), Value::Object(inner));
            let scope = json!({ "StartAt": unique, "States": states });
            let mut outer = if rng.chance(1, 2) {
                json!({ "Type": "Parallel", "Branches": [scope] })
            } else {
                json!({
                    "Type": "Map",
                    "ItemsPath": rng.pick_str(&["$.items", "$", "$.a"]),
                    "MaxConcurrency": extreme(rng),
                    "ItemProcessor": scope,
                })
            };
            let outer_map = outer.as_object_mut().expect("an object");
            if let Some(next) = next {
                outer_map.insert("Next".into(), next);
            }
            if let Some(end) = end {
                outer_map.insert("End".into(), end);
            }
            *state = std::mem::take(outer_map);
        }
        _ => {
            state.insert(
                "Catch".into(),
                json!([{ "ErrorEquals": ["States.ALL"], "Next": state.get("Next").cloned().unwrap_or(json!("Nowhere")) }]),
            );
        }
    }
}
