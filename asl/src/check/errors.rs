//! `Retry` and `Catch`: error names, `States.ALL` alone and last, retrier numbers, catcher targets.

const MAX: i64 = crate::limits::MAX_SECONDS as i64;
const MAX_DELAY: i64 = crate::limits::MAX_DELAY_SECONDS as i64;

use super::fields::QueryLanguage;
use super::scope::Edges;
use super::Checker;
use crate::problem::Rule;
use serde_json::{Map, Value};

/// The error names Step Functions itself raises.
pub const PREDEFINED_ERRORS: &[&str] = &[
    "States.ALL",
    "States.DataLimitExceeded",
    "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout",
    "States.Http.Socket",
    "States.IntrinsicFailure",
    "States.ItemReaderFailed",
    "States.NoChoiceMatched",
    "States.ParameterPathFailure",
    "States.Permissions",
    "States.QueryEvaluationError",
    "States.ResultPathMatchFailure",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.TaskFailed",
    "States.Timeout",
    "States.BranchFailed",
];

const RETRIER_FIELDS: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];

impl Checker {
    pub(crate) fn retriers(&mut self, at: &str, object: &Map<String, Value>) {
        let Some(retry) = object.get("Retry") else {
            return;
        };
        let Some(retriers) = self.array_of_objects(&format!("{at}/Retry"), "Retry", retry) else {
            return;
        };
        let count = retriers.len();
        for (i, retrier) in retriers.iter().enumerate() {
            let retrier_at = format!("{at}/Retry/{i}");
            for key in retrier
                .keys()
                .filter(|k| !RETRIER_FIELDS.contains(&k.as_str()))
            {
                let hint = crate::closest(key, RETRIER_FIELDS.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.report(
                    Rule::UnknownField,
                    format!("{retrier_at}/{key}"),
                    format!("unknown field `{key}` in a retrier{hint}"),
                );
            }
            self.error_equals(&retrier_at, retrier, i + 1 == count, "retrier");
            self.integer(&retrier_at, retrier, "IntervalSeconds", 1..=MAX);
            self.integer(&retrier_at, retrier, "MaxAttempts", 0..=MAX);
            self.integer(&retrier_at, retrier, "MaxDelaySeconds", 1..=MAX_DELAY);
            if let Some(rate) = retrier.get("BackoffRate") {
                match rate.as_f64() {
                    Some(r) if (1.0..=MAX as f64).contains(&r) => {}
                    Some(r) if r >= 1.0 => self.report(
                        Rule::FieldValue,
                        format!("{retrier_at}/BackoffRate"),
                        format!("`BackoffRate` must be at most {MAX}, not {rate}"),
                    ),
                    Some(r) => self.report(
                        Rule::FieldValue,
                        format!("{retrier_at}/BackoffRate"),
                        format!("`BackoffRate` must be at least 1.0, not {r}"),
                    ),
                    None => self.report(
                        Rule::FieldType,
                        format!("{retrier_at}/BackoffRate"),
                        "`BackoffRate` must be a number".into(),
                    ),
                }
            }
            if let Some(jitter) = self.string(&retrier_at, retrier, "JitterStrategy") {
                if !["FULL", "NONE"].contains(&jitter) {
                    self.report(
                        Rule::FieldValue,
                        format!("{retrier_at}/JitterStrategy"),
                        format!("`JitterStrategy` must be \"FULL\" or \"NONE\", not \"{jitter}\""),
                    );
                }
            }
        }
    }

    pub(crate) fn catchers(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        language: QueryLanguage,
        edges: &mut Edges,
    ) {
        let Some(catch) = object.get("Catch") else {
            return;
        };
        let Some(catchers) = self.array_of_objects(&format!("{at}/Catch"), "Catch", catch) else {
            return;
        };
        let known: &[&str] = match language {
            QueryLanguage::JsonPath => &["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"],
            QueryLanguage::Jsonata => &["ErrorEquals", "Next", "Output", "Assign", "Comment"],
        };
        let count = catchers.len();
        for (i, catcher) in catchers.iter().enumerate() {
            let catcher_at = format!("{at}/Catch/{i}");
            let other = if language == QueryLanguage::JsonPath {
                ["Output"]
            } else {
                ["ResultPath"]
            };
            self.unknown_fields(&catcher_at, catcher, "a catcher", known, &other, language);
            self.error_equals(&catcher_at, catcher, i + 1 == count, "catcher");
            if let Some(next) = self.required_string(&catcher_at, catcher, "Next", "a catcher") {
                edges
                    .targets
                    .push((format!("{catcher_at}/Next"), next.to_owned()));
            }
            if let Some(path) = catcher.get("ResultPath") {
                self.path_or_null(
                    &format!("{catcher_at}/ResultPath"),
                    "ResultPath",
                    path,
                    true,
                );
            }
            if let Some(output) = catcher.get("Output") {
                self.jsonata_value(&format!("{catcher_at}/Output"), output);
            }
            if let Some(assign) = catcher.get("Assign") {
                self.assign(&format!("{catcher_at}/Assign"), assign, language);
            }
        }
    }

    fn array_of_objects<'v>(
        &mut self,
        at: &str,
        key: &str,
        value: &'v Value,
    ) -> Option<Vec<&'v Map<String, Value>>> {
        let Some(items) = value.as_array() else {
            self.report(
                Rule::FieldType,
                at.to_owned(),
                format!("`{key}` must be an array"),
            );
            return None;
        };
        let mut objects = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_object() {
                Some(object) => objects.push(object),
                None => self.report(
                    Rule::FieldType,
                    format!("{at}/{i}"),
                    format!("each entry of `{key}` must be an object"),
                ),
            }
        }
        (objects.len() == items.len()).then_some(objects)
    }

    /// A non-empty array of names; `States.ALL` only alone and in the last entry.
    fn error_equals(&mut self, at: &str, object: &Map<String, Value>, last: bool, what: &str) {
        let Some(value) = object.get("ErrorEquals") else {
            self.report(
                Rule::MissingField,
                at.to_owned(),
                format!("a {what} needs `ErrorEquals`"),
            );
            return;
        };
        let names: Option<Vec<&str>> = value
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect());
        let Some(names) =
            names.filter(|n| !n.is_empty() && n.len() == value.as_array().map_or(0, Vec::len))
        else {
            self.report(
                Rule::FieldValue,
                format!("{at}/ErrorEquals"),
                "`ErrorEquals` must be a non-empty array of error names".into(),
            );
            return;
        };
        for (i, name) in names.iter().enumerate() {
            if name.starts_with("States.") && !PREDEFINED_ERRORS.contains(name) {
                let hint = crate::closest(name, PREDEFINED_ERRORS.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.report(
                    Rule::FieldValue,
                    format!("{at}/ErrorEquals/{i}"),
                    format!("`{name}` is not an error Step Functions raises{hint}"),
                );
            }
        }
        if names.contains(&"States.ALL") {
            if names.len() > 1 {
                self.report(
                    Rule::StatesAll,
                    format!("{at}/ErrorEquals"),
                    "`States.ALL` must be the only name in its `ErrorEquals`".into(),
                );
            }
            if !last {
                self.report(
                    Rule::StatesAll,
                    format!("{at}/ErrorEquals"),
                    format!("a {what} with `States.ALL` must be the last one"),
                );
            }
        }
    }
}
