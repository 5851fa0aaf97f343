//! Mocked task results: per state, per attempt, a result to return or an error to raise. Read from AWS Step
//! Functions Local's mock configuration file (`MockConfigFile`), so teams bring the mocks they already have:
//!
//! ```json
//! {"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"ChargeCard": "ChargeOk"}}}},
//!  "MockedResponses": {"ChargeOk": {"0": {"Throw": {"Error": "Busy", "Cause": "try again"}},
//!                                   "1-2": {"Return": {"charged": true}}}}}
//! ```
//!
//! Attempt keys count from 0 per entry into the state (`"1-2"` covers the first two retries); attempts past the last
//! key repeat the last response.

use crate::resources::{Resources, TaskCall, TaskFuture};
use crate::Failure;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// What one attempt of a mocked task does.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// The task succeeds with this result.
    Return(Value),
    /// The task fails with this error name and cause.
    Throw { error: String, cause: String },
}

/// The responses of one mocked task, by attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Mock {
    /// `(first attempt, last attempt, response)`, sorted.
    ranges: Vec<(u32, u32, Response)>,
}

impl Mock {
    /// A task that always returns `result`.
    pub fn returning(result: Value) -> Mock {
        Mock {
            ranges: vec![(0, 0, Response::Return(result))],
        }
    }

    /// A task that gives `responses[i]` on attempt `i` (and the last one after that).
    pub fn sequence(responses: impl IntoIterator<Item = Response>) -> Mock {
        Mock {
            ranges: responses
                .into_iter()
                .enumerate()
                .map(|(i, r)| (i as u32, i as u32, r))
                .collect(),
        }
    }

    /// The response for attempt `attempt`.
    pub fn response(&self, attempt: u32) -> Option<&Response> {
        self.ranges
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&attempt))
            .or_else(|| {
                self.ranges
                    .iter()
                    .filter(|(_, last, _)| *last < attempt)
                    .max_by_key(|(_, last, _)| *last)
            })
            .map(|(_, _, response)| response)
    }

    /// Runs the mocked attempt.
    pub fn invoke(&self, call: &TaskCall) -> Result<Value, Failure> {
        match self.response(call.attempt) {
            Some(Response::Return(value)) => Ok(value.clone()),
            Some(Response::Throw { error, cause }) => {
                Err(Failure::new(error.clone(), cause.clone()))
            }
            None => Err(Failure::runtime(format!(
                "the mock of state '{}' has no response",
                call.state
            ))),
        }
    }

    /// Registers the mock for the Task state `state`.
    pub fn install(self, resources: &mut Resources, state: impl Into<String>) {
        let mock = Arc::new(self);
        resources.state(state, move |call: TaskCall| -> TaskFuture {
            let result = mock.invoke(&call);
            Box::pin(async move { result })
        });
    }
}

/// Why a mock configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockConfigError(pub String);

impl fmt::Display for MockConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MockConfigError {}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ConfigFile {
    state_machines: BTreeMap<String, MachineCases>,
    #[serde(default)]
    mocked_responses: BTreeMap<String, BTreeMap<String, ResponseJson>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MachineCases {
    test_cases: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseJson {
    #[serde(rename = "Return")]
    ret: Option<Value>,
    #[serde(rename = "Throw")]
    throw: Option<ThrowJson>,
}

#[derive(Deserialize)]
struct ThrowJson {
    #[serde(rename = "Error")]
    error: String,
    #[serde(rename = "Cause", default)]
    cause: String,
}

/// A parsed `MockConfigFile`.
pub struct MockConfig {
    file: ConfigFile,
}

impl MockConfig {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<MockConfig, MockConfigError> {
        serde_json::from_str(text)
            .map(|file| MockConfig { file })
            .map_err(|e| {
                MockConfigError(format!(
                    "not a Step Functions Local mock configuration: {e}"
                ))
            })
    }

    /// The mocks of one test case, by state name. `machine` may be omitted when the file has one state machine, and
    /// `case` when that machine has one test case.
    pub fn test_case(
        &self,
        machine: Option<&str>,
        case: Option<&str>,
    ) -> Result<BTreeMap<String, Mock>, MockConfigError> {
        let machines = &self.file.state_machines;
        let (machine_name, cases) = pick(machines, machine, "state machine", "--state-machine")?;
        let (case_name, mapping) = pick(
            &cases.test_cases,
            case,
            &format!("test case of `{machine_name}`"),
            "--test-case",
        )?;
        mapping
            .iter()
            .map(|(state, response_name)| {
                let responses = self.file.mocked_responses.get(response_name).ok_or_else(|| {
                    MockConfigError(format!(
                        "test case `{case_name}` maps state `{state}` to `{response_name}`, which MockedResponses does not define"
                    ))
                })?;
                Ok((state.clone(), mock_from(response_name, responses)?))
            })
            .collect()
    }
}

fn pick<'a, T>(
    items: &'a BTreeMap<String, T>,
    wanted: Option<&str>,
    what: &str,
    flag: &str,
) -> Result<(&'a str, &'a T), MockConfigError> {
    let names = || {
        items
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(name) => items
            .get_key_value(name)
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| {
                let hint = stepfn_asl::closest(name, items.keys().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                MockConfigError(format!(
                    "no {what} named `{name}` (there are: {}){hint}",
                    names()
                ))
            }),
        None if items.len() == 1 => Ok(items
            .iter()
            .next()
            .map(|(k, v)| (k.as_str(), v))
            .expect("one item")),
        None => Err(MockConfigError(format!(
            "name the {what} with {flag}: one of {}",
            names()
        ))),
    }
}

fn mock_from(
    name: &str,
    responses: &BTreeMap<String, ResponseJson>,
) -> Result<Mock, MockConfigError> {
    let mut ranges = Vec::new();
    for (key, response) in responses {
        let bad = || {
            MockConfigError(format!(
                "mocked response `{name}`: `{key}` is not an attempt number or range like `1-3`"
            ))
        };
        let (first, last) = match key.split_once('-') {
            Some((a, b)) => (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            ),
            None => {
                let n = key.trim().parse().map_err(|_| bad())?;
                (n, n)
            }
        };
        if first > last {
            return Err(MockConfigError(format!(
                "mocked response `{name}`: the range `{key}` runs backwards; write `{last}-{first}`"
            )));
        }
        let response = match (&response.ret, &response.throw) {
            (Some(value), None) => Response::Return(value.clone()),
            (None, Some(throw)) => Response::Throw {
                error: throw.error.clone(),
                cause: throw.cause.clone(),
            },
            _ => {
                return Err(MockConfigError(format!(
                    "mocked response `{name}` attempt `{key}` needs exactly one of Return or Throw"
                )))
            }
        };
        ranges.push((first, last, response));
    }
    ranges.sort_by_key(|(first, _, _)| *first);
    Ok(Mock { ranges })
}

/// Checks that every mocked state is a Task state of `definition` (in any branch or item processor), so a
/// misspelled name is an error naming the closest state instead of a mock that silently never applies.
pub fn check_mocked_states<'a>(
    states: impl IntoIterator<Item = &'a str>,
    definition: &Value,
) -> Result<(), MockConfigError> {
    let mut tasks = Vec::new();
    collect_tasks(definition, &mut tasks);
    for state in states {
        if !tasks.iter().any(|t| t == state) {
            let hint = stepfn_asl::closest(state, tasks.iter().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| format!("; its Task states are: {}", tasks.join(", ")));
            return Err(MockConfigError(format!(
                "the definition has no Task state named `{state}` to mock{hint}"
            )));
        }
    }
    Ok(())
}

fn collect_tasks(scope: &Value, tasks: &mut Vec<String>) {
    let Some(states) = scope.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        if state.get("Type").and_then(Value::as_str) == Some("Task") {
            tasks.push(name.clone());
        }
        for branch in state
            .get("Branches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_tasks(branch, tasks);
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(key) {
                collect_tasks(processor, tasks);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FILE: &str = r#"{
      "StateMachines": {"Orders": {"TestCases": {
        "HappyPath": {"Charge": "ChargeRetried"},
        "Broken": {"Charge": "Missing"}}}},
      "MockedResponses": {"ChargeRetried": {
        "0": {"Throw": {"Error": "Busy", "Cause": "try again"}},
        "1-2": {"Return": {"charged": true}}}}}"#;

    #[test]
    fn reads_attempt_ranges() {
        let config = MockConfig::parse(FILE).unwrap();
        let mocks = config.test_case(None, Some("HappyPath")).unwrap();
        let charge = &mocks["Charge"];
        assert!(
            matches!(charge.response(0), Some(Response::Throw { error, .. }) if error == "Busy")
        );
        assert_eq!(
            charge.response(2),
            Some(&Response::Return(json!({"charged": true})))
        );
        assert_eq!(
            charge.response(9),
            Some(&Response::Return(json!({"charged": true})))
        );
    }

    #[test]
    fn misspelled_states_and_keys_are_errors() {
        let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": "r", "End": true}}}]}}});
        assert!(check_mocked_states(["Charge"], &definition).is_ok());
        let error = check_mocked_states(["Chrage"], &definition).unwrap_err();
        assert!(error.0.contains("did you mean `Charge`"), "{error}");
        let error = MockConfig::parse(r#"{"StateMachines": {}, "MockedResponse": {}}"#)
            .err()
            .unwrap();
        assert!(error.0.contains("MockedResponse"), "{error}");
        let backwards = r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
            "MockedResponses": {"R": {"2-1": {"Return": 1}}}}"#;
        let error = MockConfig::parse(backwards)
            .unwrap()
            .test_case(None, None)
            .err()
            .unwrap();
        assert!(error.0.contains("backwards"), "{error}");
    }

    #[test]
    fn names_what_is_missing() {
        let config = MockConfig::parse(FILE).unwrap();
        let error = config.test_case(None, None).err().unwrap();
        assert!(error.0.contains("--test-case"), "{error}");
        let error = config.test_case(None, Some("HapyPath")).err().unwrap();
        assert!(error.0.contains("did you mean `HappyPath`"), "{error}");
        let error = config
            .test_case(Some("Orders"), Some("Broken"))
            .err()
            .unwrap();
        assert!(error.0.contains("`Missing`"), "{error}");
    }
}
