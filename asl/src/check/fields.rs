//! Which fields each state type may have, under each query language, and the type checks every field shares.

use super::Checker;
use crate::problem::Rule;
use serde_json::{Map, Value};

/// The query language a state is evaluated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage", "Assign"];
const JSONPATH_IO: &[&str] = &["InputPath", "OutputPath"];
const TRANSITION: &[&str] = &["Next", "End"];

/// The fields a state of `kind` may have besides the common ones, or `None` for an unknown type.
pub fn allowed(kind: &str, language: QueryLanguage) -> Option<Vec<&'static str>> {
    use QueryLanguage::*;
    let mut fields: Vec<&str> = COMMON.to_vec();
    let (shared, jsonpath, jsonata): (&[&str], &[&str], &[&str]) = match kind {
        "Task" => (
            &[
                "Resource",
                "Next",
                "End",
                "Retry",
                "Catch",
                "TimeoutSeconds",
                "HeartbeatSeconds",
                "Credentials",
            ],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultPath",
                "ResultSelector",
                "TimeoutSecondsPath",
                "HeartbeatSecondsPath",
            ],
            &["Arguments", "Output"],
        ),
        "Pass" => (
            TRANSITION,
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultPath",
                "Result",
            ],
            &["Output"],
        ),
        "Wait" => (
            &["Next", "End", "Seconds", "Timestamp"],
            &["InputPath", "OutputPath", "SecondsPath", "TimestampPath"],
            &["Output"],
        ),
        "Succeed" => (&[], JSONPATH_IO, &["Output"]),
        "Fail" => (&["Error", "Cause"], &["ErrorPath", "CausePath"], &[]),
        "Choice" => (&["Choices", "Default"], JSONPATH_IO, &["Output"]),
        "Parallel" => (
            &["Branches", "Next", "End", "Retry", "Catch"],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultPath",
                "ResultSelector",
            ],
            &["Arguments", "Output"],
        ),
        "Map" => (
            &[
                "ItemProcessor",
                "Iterator",
                "ItemSelector",
                "ItemReader",
                "ItemBatcher",
                "ResultWriter",
                "MaxConcurrency",
                "ToleratedFailurePercentage",
                "ToleratedFailureCount",
                "Label",
                "Next",
                "End",
                "Retry",
                "Catch",
            ],
            &[
                "InputPath",
                "OutputPath",
                "ItemsPath",
                "Parameters",
                "ResultPath",
                "ResultSelector",
                "MaxConcurrencyPath",
                "ToleratedFailurePercentagePath",
                "ToleratedFailureCountPath",
            ],
            &["Items", "Output"],
        ),
        _ => return None,
    };
    fields.extend_from_slice(shared);
    fields.extend_from_slice(match language {
        JsonPath => jsonpath,
        Jsonata => jsonata,
    });
    Some(fields)
}

/// Every field in any language, to tell "not in this language" from "unknown".
pub fn allowed_in_other_language(kind: &str, language: QueryLanguage) -> Vec<&'static str> {
    let other = match language {
        QueryLanguage::JsonPath => QueryLanguage::Jsonata,
        QueryLanguage::Jsonata => QueryLanguage::JsonPath,
    };
    allowed(kind, other).unwrap_or_default()
}

impl Checker {
    /// Reports each field of `object` not in `allowed`, naming the close one or the other language's field.
    pub fn unknown_fields(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        what: &str,
        allowed: &[&str],
        other_language: &[&str],
        language: QueryLanguage,
    ) {
        for key in object.keys() {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let message = if other_language.contains(&key.as_str()) {
                let (this, that) = match language {
                    QueryLanguage::JsonPath => ("JSONPath", "JSONata"),
                    QueryLanguage::Jsonata => ("JSONata", "JSONPath"),
                };
                format!(
                    "`{key}` belongs to {that} states; this {} uses {this}{}",
                    what.trim_start_matches("a "),
                    language_hint(key, language)
                )
            } else {
                let hint = crate::closest(key, allowed.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("; expected one of {}", allowed.join(", ")));
                format!("unknown field `{key}` in {what}{hint}")
            };
            self.report(Rule::UnknownField, format!("{at}/{}", escape(key)), message);
        }
    }

    pub fn string<'v>(
        &mut self,
        at: &str,
        object: &'v Map<String, Value>,
        key: &str,
    ) -> Option<&'v str> {
        let value = object.get(key)?;
        match value.as_str() {
            Some(s) => Some(s),
            None => {
                self.report(
                    Rule::FieldType,
                    format!("{at}/{key}"),
                    format!("`{key}` must be a string"),
                );
                None
            }
        }
    }

    pub fn required_string<'v>(
        &mut self,
        at: &str,
        object: &'v Map<String, Value>,
        key: &str,
        what: &str,
    ) -> Option<&'v str> {
        if !object.contains_key(key) {
            self.report(
                Rule::MissingField,
                at.to_owned(),
                format!("{what} needs `{key}`"),
            );
            return None;
        }
        self.string(at, object, key)
    }

    /// A whole number in `range` (AWS reads `10.0` as 10, so does every reader of the model: [`integer_value`]).
    pub fn integer(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let value = object.get(key)?;
        let (min, max) = (*range.start(), *range.end());
        match integer_value(value) {
            Some(n) if range.contains(&n) => Some(n),
            Some(n) => {
                let bound = if n < min {
                    format!("at least {min}")
                } else {
                    format!("at most {max}")
                };
                self.report(
                    Rule::FieldValue,
                    format!("{at}/{key}"),
                    format!("`{key}` must be {bound}, not {n}"),
                );
                None
            }
            None => {
                let expected = if min > 0 {
                    "a positive whole number"
                } else {
                    "a whole number, 0 or more"
                };
                self.report(
                    Rule::FieldType,
                    format!("{at}/{key}"),
                    format!("`{key}` must be {expected} (at most {max})"),
                );
                None
            }
        }
    }

    /// Value and `...Path` forms of one setting: at most one of them (`required`: exactly one).
    pub fn one_of<'k>(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        keys: &[&'k str],
        required: bool,
        what: &str,
    ) -> Option<&'k str> {
        let present: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| object.contains_key(*k))
            .collect();
        match present.as_slice() {
            [] if required => {
                self.report(
                    Rule::MissingField,
                    at.to_owned(),
                    format!("{what} needs one of {}", list(keys)),
                );
                None
            }
            [] => None,
            [one] => Some(one),
            [_, second, ..] => {
                self.report(
                    Rule::ExclusiveFields,
                    format!("{at}/{second}"),
                    format!("{} exclude each other: keep one", list(&present)),
                );
                None
            }
        }
    }
}

/// A JSON number as the whole number AWS reads it: `10` and `10.0` are 10; `10.5`, strings and numbers beyond
/// 2^53 (which a double cannot hold exactly) are not whole numbers.
pub fn integer_value(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .filter(|n| n.unsigned_abs() < 1 << 53)
        .or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
}

fn language_hint(key: &str, language: QueryLanguage) -> &'static str {
    match (language, key) {
        (QueryLanguage::Jsonata, "Parameters") => ": use `Arguments`",
        (QueryLanguage::Jsonata, "InputPath" | "OutputPath" | "ResultSelector" | "ResultPath") => {
            ": use `Output` (and `Arguments`)"
        }
        (QueryLanguage::Jsonata, "ItemsPath") => ": use `Items`",
        (QueryLanguage::JsonPath, "Arguments") => ": use `Parameters`",
        (QueryLanguage::JsonPath, "Output") => ": use `OutputPath`/`ResultSelector`",
        (QueryLanguage::JsonPath, "Items") => ": use `ItemsPath`",
        _ => "",
    }
}

/// `` `A`, `B` and `C` ``
pub fn list(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

pub use crate::problem::pointer_segment as escape;
