//! A problem found by validation: which rule, where (a JSON pointer), and what to change.

use std::fmt;

/// One reason AWS would reject the document, or the workflow could never finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Which rule the document breaks.
    pub rule: Rule,
    /// JSON pointer (RFC 6901) to the value to change, e.g. `/States/Notify/Next`.
    pub pointer: String,
    pub message: String,
    /// The pointer of the problem this one follows from (a state that cannot run because a `Next` names no state,
    /// say), so [`fold`](crate::fold) can report the cause alone; `None` for a problem of its own.
    pub cause: Option<String>,
}

impl Problem {
    /// A problem of its own, with no cause.
    pub fn new(rule: Rule, pointer: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            rule,
            pointer: pointer.into(),
            message: message.into(),
            cause: None,
        }
    }
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
    /// A loop with no way out, reported at the transition that closes it (see [`fold`](crate::fold)).
    LoopWithoutExit,
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
    /// A variable read where some path from `StartAt` has not assigned it.
    UnassignedVariable,
    /// A Parallel branch or Map iteration assigns a variable of an enclosing scope.
    OuterVariableAssigned,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// The JSON pointer of a state, escaping `~` and `/` as RFC 6901 requires.
pub fn state_pointer(name: &str) -> String {
    format!("/States/{}", pointer_segment(name))
}

/// One key as a JSON pointer segment: RFC 6901 escapes `~` as `~0` and `/` as `~1`.
pub fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
