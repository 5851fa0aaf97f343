//! Static validation of a state machine. Each [`Problem`] carries the JSON pointer of the offending value, so the
//! CLI can print it and the macro can map it back to the token the user wrote.

use crate::{check_state_name, closest, Graph, State, StateMachine};
use std::fmt;

/// One reason AWS would reject the document, or the workflow could never finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Which rule the document breaks.
    pub rule: Rule,
    /// JSON pointer (RFC 6901) to the value to change, e.g. `/States/Notify/Next`.
    pub pointer: String,
    pub message: String,
}

/// The rules [`validate`] checks, so callers can tell problems apart without reading messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The machine has no states.
    NoStates,
    /// `StartAt` or `Next` names a state that does not exist.
    UnknownState,
    /// A state name AWS rejects (length or characters).
    StateName,
    /// A state has both `Next` and `End: true`.
    NextAndEnd,
    /// A state has neither `Next` nor `End: true`.
    NoTransition,
    /// `HeartbeatSeconds` is not below `TimeoutSeconds`.
    HeartbeatNotBelowTimeout,
    /// No path from `StartAt` leads to the state.
    Unreachable,
    /// No path from the state leads to an end.
    NeverFinishes,
    /// A field the state (or object) does not have, or one of the other query language.
    UnknownField,
    /// A required field is missing.
    MissingField,
    /// A field's value has the wrong JSON type.
    FieldType,
    /// A field's value is out of range or not one of the allowed values.
    FieldValue,
    /// Fields that exclude each other (a value and its `...Path` form, or one-of groups).
    ExclusiveFields,
    /// A state name is used twice in the machine.
    DuplicateState,
    /// Two keys of an object name the same field (also after stripping `.$`).
    DuplicateKey,
    /// A malformed JSONPath, or a path where a reference path is required.
    Path,
    /// A malformed intrinsic function call.
    Intrinsic,
    /// `States.ALL` not alone or not in the last retrier or catcher.
    StatesAll,
    /// A choice rule with no comparison, several, or a misplaced `Variable`.
    ChoiceRule,
    /// A variable name AWS rejects.
    VariableName,
    /// A malformed JSONata expression string.
    Jsonata,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// Every problem found in `machine`, in document order; empty when it is valid.
pub fn validate(machine: &StateMachine) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |rule: Rule, pointer: String, message: String| {
        problems.push(Problem {
            rule,
            pointer,
            message,
        })
    };

    if machine.states.is_empty() {
        report(
            Rule::NoStates,
            "/States".into(),
            "a state machine needs at least one state".into(),
        );
    }
    if !machine.states.contains_key(&machine.start_at) {
        report(
            Rule::UnknownState,
            "/StartAt".into(),
            unknown_state(machine, &machine.start_at),
        );
    }
    for (name, state) in &machine.states {
        let at = state_pointer(name);
        if let Err(message) = check_state_name(name) {
            report(Rule::StateName, at.clone(), message);
        }
        if let Some(transition) = state.transition() {
            match (&transition.next, transition.end) {
                (Some(_), Some(true)) => report(
                    Rule::NextAndEnd,
                    format!("{at}/End"),
                    format!("state `{name}` has both `Next` and `End: true`: keep one of them"),
                ),
                (None, end) if end != Some(true) => report(
                    Rule::NoTransition,
                    at.clone(),
                    format!("state `{name}` has no transition: add `Next` naming the following state, or `End: true`"),
                ),
                _ => {}
            }
            if let Some(next) = &transition.next {
                if !machine.states.contains_key(next) {
                    report(
                        Rule::UnknownState,
                        format!("{at}/Next"),
                        unknown_state(machine, next),
                    );
                }
            }
        }
        if let State::Task(task) = state {
            if let (Some(timeout), Some(heartbeat)) = (task.timeout_seconds, task.heartbeat_seconds)
            {
                if heartbeat >= timeout {
                    report(
                        Rule::HeartbeatNotBelowTimeout,
                        format!("{at}/HeartbeatSeconds"),
                        format!("HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})"),
                    );
                }
            }
        }
    }

    let graph = Graph::new(machine);
    for name in graph.unreachable_from(&machine.start_at) {
        report(
            Rule::Unreachable,
            state_pointer(name),
            format!("state `{name}` can never run: no state moves to it and it is not StartAt"),
        );
    }
    for name in graph.cannot_finish() {
        report(
            Rule::NeverFinishes,
            state_pointer(name),
            format!("state `{name}` never reaches an end: every path from it loops without a Succeed, Fail or End"),
        );
    }
    problems
}

fn unknown_state(machine: &StateMachine, name: &str) -> String {
    let suggestion = closest(name, machine.states.keys().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    format!("there is no state named `{name}`{suggestion}")
}

/// The JSON pointer of a state, escaping `~` and `/` as RFC 6901 requires.
pub fn state_pointer(name: &str) -> String {
    format!("/States/{}", name.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Succeed, Task, Transition};

    fn task(next: Option<&str>) -> State {
        State::Task(Task {
            comment: None,
            resource: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
            timeout_seconds: None,
            heartbeat_seconds: None,
            transition: next.map(Transition::next).unwrap_or_else(Transition::end),
        })
    }

    fn machine(states: Vec<(&str, State)>) -> StateMachine {
        StateMachine {
            comment: None,
            start_at: states[0].0.into(),
            version: None,
            timeout_seconds: None,
            states: states.into_iter().map(|(n, s)| (n.to_owned(), s)).collect(),
        }
    }

    fn pointers(m: &StateMachine) -> Vec<String> {
        validate(m).into_iter().map(|p| p.pointer).collect()
    }

    #[test]
    fn a_valid_chain_has_no_problems() {
        let m = machine(vec![("A", task(Some("B"))), ("B", task(None))]);
        assert_eq!(validate(&m), vec![]);
    }

    #[test]
    fn unknown_next_suggests_the_close_name() {
        let m = machine(vec![
            ("Validate", task(Some("Notfy"))),
            ("Notify", task(None)),
        ]);
        let problems = validate(&m);
        assert_eq!(problems[0].pointer, "/States/Validate/Next");
        assert!(
            problems[0].message.contains("did you mean `Notify`?"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn unreachable_and_never_ending_states_are_reported() {
        let m = machine(vec![
            ("A", task(None)),
            ("Island1", task(Some("Island2"))),
            ("Island2", task(Some("Island1"))),
        ]);
        assert_eq!(
            pointers(&m),
            [
                "/States/Island1",
                "/States/Island2",
                "/States/Island1",
                "/States/Island2"
            ]
        );
    }

    #[test]
    fn loops_need_a_way_out() {
        let m = machine(vec![("A", task(Some("B"))), ("B", task(Some("A")))]);
        assert_eq!(pointers(&m), ["/States/A", "/States/B"]);
        let mut m = machine(vec![
            ("A", task(Some("B"))),
            ("B", task(Some("C"))),
            ("C", State::Succeed(Succeed::default())),
        ]);
        m.states.insert("D".into(), task(Some("A")));
        assert_eq!(pointers(&m), ["/States/D"]);
    }

    #[test]
    fn pointers_escape_slashes() {
        assert_eq!(state_pointer("a/b~c"), "/States/a~1b~0c");
    }
}
