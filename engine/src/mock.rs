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
use crate::{Failure, Machine};
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

/// Why mocks cannot be used: the configuration file, or a mocked state the definition does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MockConfigError {
    /// The text is not a Step Functions Local mock configuration (serde's reason, naming the unknown key).
    NotAMockConfig(String),
    /// The file has no state machine, or no test case, of the name asked for.
    NoSuch {
        item: MockItem,
        name: String,
        available: Vec<String>,
    },
    /// The file has several state machines, or test cases, and none was named.
    Unnamed {
        item: MockItem,
        available: Vec<String>,
    },
    /// A test case maps a state to a response that `MockedResponses` does not define.
    UndefinedResponse {
        test_case: String,
        state: String,
        response: String,
    },
    /// An attempt key of a response is not a number or a range like `1-3`.
    BadAttemptKey { response: String, key: String },
    /// An attempt range runs backwards, like `3-1`.
    BackwardsRange { response: String, key: String },
    /// An attempt has both `Return` and `Throw`, or neither.
    NotOneOutcome { response: String, key: String },
    /// A response defines nothing for attempt 0, the first call of the state.
    NoFirstAttempt { response: String },
    /// A key appears twice in one object of the file (JSON parsers keep one silently).
    DuplicateKey { pointer: String },
    /// A mocked state is not a Task state of the definition (a misspelling would otherwise never apply).
    NotATaskState { state: String, tasks: Vec<String> },
}

/// What a [`MockConfigError`] looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockItem {
    StateMachine,
    /// A test case of this state machine.
    TestCase {
        machine: String,
    },
}

impl fmt::Display for MockItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockItem::StateMachine => f.write_str("state machine"),
            MockItem::TestCase { machine } => write!(f, "test case of `{machine}`"),
        }
    }
}

/// `; did you mean `x`?` when one of `names` is close to `name`, else `fallback` (or nothing).
fn hint(name: &str, names: &[String], fallback: Option<&str>) -> String {
    match stepfn_asl::closest(name, names.iter().map(String::as_str)) {
        Some(close) => format!("; did you mean `{close}`?"),
        None => fallback.map(str::to_string).unwrap_or_default(),
    }
}

impl fmt::Display for MockConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockConfigError::NotAMockConfig(reason) => {
                write!(f, "not a Step Functions Local mock configuration: {reason}")
            }
            MockConfigError::NoSuch {
                item,
                name,
                available,
            } => write!(
                f,
                "no {item} named `{name}` (there are: {}){}",
                available.join(", "),
                hint(name, available, None)
            ),
            MockConfigError::Unnamed { item, available } => write!(
                f,
                "name the {item} to use: one of {}",
                available.join(", ")
            ),
            MockConfigError::UndefinedResponse {
                test_case,
                state,
                response,
            } => write!(
                f,
                "test case `{test_case}` maps state `{state}` to `{response}`, which MockedResponses does not define"
            ),
            MockConfigError::BadAttemptKey { response, key } => write!(
                f,
                "mocked response `{response}`: `{key}` is not an attempt number or range like `1-3`"
            ),
            MockConfigError::BackwardsRange { response, key } => {
                let reversed: Vec<&str> = key.split('-').map(str::trim).rev().collect();
                write!(
                    f,
                    "mocked response `{response}`: the range `{key}` runs backwards; write `{}`",
                    reversed.join("-")
                )
            }
            MockConfigError::NotOneOutcome { response, key } => write!(
                f,
                "mocked response `{response}` attempt `{key}` needs exactly one of Return or Throw"
            ),
            MockConfigError::NoFirstAttempt { response } => write!(
                f,
                "mocked response `{response}` has no response for attempt `0`, the state's first call (attempts count from 0)"
            ),
            MockConfigError::DuplicateKey { pointer } => write!(
                f,
                "`{pointer}` appears twice in the file: JSON parsers keep one silently; keep one"
            ),
            MockConfigError::NotATaskState { state, tasks } => {
                let list = match tasks.is_empty() {
                    true => "; it has no Task states".to_string(),
                    false => format!("; its Task states are: {}", tasks.join(", ")),
                };
                write!(
                    f,
                    "the definition has no Task state named `{state}` to mock{}",
                    hint(state, tasks, Some(&list))
                )
            }
        }
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
        let (value, duplicates) = stepfn_asl::parse_document(text)
            .map_err(|e| MockConfigError::NotAMockConfig(e.to_string()))?;
        if let Some(duplicate) = duplicates.into_iter().next() {
            return Err(MockConfigError::DuplicateKey {
                pointer: duplicate.pointer,
            });
        }
        serde_json::from_value(value)
            .map(|file| MockConfig { file })
            .map_err(|e| MockConfigError::NotAMockConfig(e.to_string()))
    }

    /// The names of the test cases the file has for state machine `machine` (none when it has no such machine).
    pub fn test_case_names(&self, machine: &str) -> Vec<String> {
        self.file
            .state_machines
            .get(machine)
            .map(|cases| cases.test_cases.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The mocks of one test case, by state name. `machine` may be omitted when the file has one state machine, and
    /// `case` when that machine has one test case.
    pub fn test_case(
        &self,
        machine: Option<&str>,
        case: Option<&str>,
    ) -> Result<BTreeMap<String, Mock>, MockConfigError> {
        let (machine_name, cases) =
            pick(&self.file.state_machines, machine, MockItem::StateMachine)?;
        let item = MockItem::TestCase {
            machine: machine_name.to_string(),
        };
        let (case_name, mapping) = pick(&cases.test_cases, case, item)?;
        mapping
            .iter()
            .map(|(state, response_name)| {
                let responses = self
                    .file
                    .mocked_responses
                    .get(response_name)
                    .ok_or_else(|| MockConfigError::UndefinedResponse {
                        test_case: case_name.to_string(),
                        state: state.clone(),
                        response: response_name.clone(),
                    })?;
                Ok((state.clone(), mock_from(response_name, responses)?))
            })
            .collect()
    }

    /// Whether the file has a state machine named `name`.
    fn has_machine(&self, name: &str) -> bool {
        self.file.state_machines.contains_key(name)
    }
}

/// The mocks of one test case of a mock configuration file, checked against the definition they mock: the one
/// way mocks are read, by `stepfn run --mock`, a workflow binary's `run --mock` and
/// `stepfn::testing::TestRun::mock_config`.
///
/// The state machine is `state_machine` when given, else the one named like `machine` (its
/// `$$.StateMachine.Name`: the workflow's name, or the definition file's), else the file's only one. The test
/// case is `test_case`, or the machine's only one. Every mocked state must be a Task state of `machine`.
pub fn load_test_case(
    text: &str,
    machine: &Machine,
    state_machine: Option<&str>,
    test_case: Option<&str>,
) -> Result<BTreeMap<String, Mock>, MockConfigError> {
    let config = MockConfig::parse(text)?;
    let state_machine =
        state_machine.or_else(|| config.has_machine(&machine.name).then_some(&*machine.name));
    let mocks = config.test_case(state_machine, test_case)?;
    check_mocked_states(mocks.keys().map(String::as_str), &machine.definition)?;
    Ok(mocks)
}

fn pick<'a, T>(
    items: &'a BTreeMap<String, T>,
    wanted: Option<&str>,
    item: MockItem,
) -> Result<(&'a str, &'a T), MockConfigError> {
    let available = || items.keys().cloned().collect::<Vec<_>>();
    match wanted {
        Some(name) => items
            .get_key_value(name)
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| MockConfigError::NoSuch {
                item,
                name: name.to_string(),
                available: available(),
            }),
        None => match items.iter().next() {
            Some((name, value)) if items.len() == 1 => Ok((name.as_str(), value)),
            _ => Err(MockConfigError::Unnamed {
                item,
                available: available(),
            }),
        },
    }
}

fn mock_from(
    name: &str,
    responses: &BTreeMap<String, ResponseJson>,
) -> Result<Mock, MockConfigError> {
    let mut ranges = Vec::new();
    for (key, response) in responses {
        let at = || (name.to_string(), key.clone());
        let bad = || {
            let (response, key) = at();
            MockConfigError::BadAttemptKey { response, key }
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
            let (response, key) = at();
            return Err(MockConfigError::BackwardsRange { response, key });
        }
        let response = match (&response.ret, &response.throw) {
            (Some(value), None) => Response::Return(value.clone()),
            (None, Some(throw)) => Response::Throw {
                error: throw.error.clone(),
                cause: throw.cause.clone(),
            },
            _ => {
                let (response, key) = at();
                return Err(MockConfigError::NotOneOutcome { response, key });
            }
        };
        ranges.push((first, last, response));
    }
    ranges.sort_by_key(|(first, _, _)| *first);
    if !matches!(ranges.first(), Some((0, _, _))) {
        return Err(MockConfigError::NoFirstAttempt {
            response: name.to_string(),
        });
    }
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
            return Err(MockConfigError::NotATaskState {
                state: state.to_string(),
                tasks,
            });
        }
    }
    Ok(())
}

/// The names of every Task state of a definition (or scope), in any branch or item processor.
pub fn task_states(definition: &Value) -> Vec<String> {
    let mut tasks = Vec::new();
    collect_tasks(definition, &mut tasks);
    tasks
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
        assert!(
            matches!(&error, MockConfigError::NotATaskState { state, .. } if state == "Chrage"),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("did you mean `Charge`"),
            "{error}"
        );
        let error = MockConfig::parse(r#"{"StateMachines": {}, "MockedResponse": {}}"#)
            .err()
            .unwrap();
        assert!(
            matches!(&error, MockConfigError::NotAMockConfig(reason) if reason.contains("MockedResponse")),
            "{error:?}"
        );
        let backwards = r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
            "MockedResponses": {"R": {"2-1": {"Return": 1}}}}"#;
        let error = MockConfig::parse(backwards)
            .unwrap()
            .test_case(None, None)
            .err()
            .unwrap();
        assert_eq!(
            error,
            MockConfigError::BackwardsRange {
                response: "R".into(),
                key: "2-1".into()
            }
        );
        assert!(error.to_string().contains("write `1-2`"), "{error}");
    }

    #[test]
    fn names_what_is_missing() {
        let config = MockConfig::parse(FILE).unwrap();
        let error = config.test_case(None, None).err().unwrap();
        assert_eq!(
            error,
            MockConfigError::Unnamed {
                item: MockItem::TestCase {
                    machine: "Orders".into()
                },
                available: vec!["Broken".into(), "HappyPath".into()],
            }
        );
        let error = config.test_case(None, Some("HapyPath")).err().unwrap();
        assert!(
            error.to_string().contains("did you mean `HappyPath`"),
            "{error}"
        );
        let error = config
            .test_case(Some("Orders"), Some("Broken"))
            .err()
            .unwrap();
        assert!(
            matches!(&error, MockConfigError::UndefinedResponse { response, .. } if response == "Missing"),
            "{error:?}"
        );
    }

    #[test]
    fn loading_picks_the_machine_named_like_the_definition() {
        let two = r#"{"StateMachines": {
            "Orders": {"TestCases": {"T": {"Charge": "Ok"}}},
            "Other": {"TestCases": {"T": {"Nope": "Ok"}}}},
            "MockedResponses": {"Ok": {"0": {"Return": {"charged": true}}}}}"#;
        let machine = Machine::from_json(
            r#"{"StartAt": "Charge", "States": {"Charge": {"Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}"#,
        )
        .unwrap();
        let unnamed = load_test_case(two, &machine, None, None).unwrap_err();
        assert!(
            matches!(
                unnamed,
                MockConfigError::Unnamed {
                    item: MockItem::StateMachine,
                    ..
                }
            ),
            "{unnamed:?}"
        );
        let orders = machine.named("Orders");
        let mocks = load_test_case(two, &orders, None, None).unwrap();
        assert_eq!(mocks.keys().collect::<Vec<_>>(), ["Charge"]);
        let other = load_test_case(two, &orders, Some("Other"), Some("T")).unwrap_err();
        assert!(
            matches!(&other, MockConfigError::NotATaskState { state, .. } if state == "Nope"),
            "{other:?}"
        );
    }

    #[test]
    fn a_response_without_attempt_zero_and_duplicate_keys_are_file_errors() {
        let no_first = r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
            "MockedResponses": {"R": {"1": {"Return": 1}}}}"#;
        let error = MockConfig::parse(no_first)
            .unwrap()
            .test_case(None, None)
            .err()
            .unwrap();
        assert!(
            matches!(&error, MockConfigError::NoFirstAttempt { response } if response == "R"),
            "{error:?}"
        );
        let twice = r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": 1}, "0": {"Return": 2}}}}"#;
        let error = MockConfig::parse(twice).err().unwrap();
        assert!(
            matches!(&error, MockConfigError::DuplicateKey { pointer } if pointer == "/MockedResponses/R/0"),
            "{error:?}"
        );
    }
}
