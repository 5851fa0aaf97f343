//! Values that hold paths or expressions: path fields, payload templates (`"key.$": "$.path"`), intrinsic calls,
//! `Assign`, and JSONata strings.

use super::fields::{escape, QueryLanguage};
use super::Checker;
use crate::path::{Path, Root};
use crate::problem::Rule;
use serde_json::Value;
use std::collections::BTreeMap;

impl Checker {
    /// `InputPath`/`OutputPath` (any path) or `ResultPath` (a reference path); `null` is allowed.
    pub(crate) fn path_or_null(&mut self, at: &str, key: &str, value: &Value, reference: bool) {
        match value {
            Value::Null => {}
            Value::String(text) => {
                match Path::parse(text) {
                    Ok(path) if reference && !path.is_reference() => self.report(
                        Rule::Path,
                        at.to_owned(),
                        format!("`{key}` must be a reference path (names and indexes only, no `*`, `..`, slices or filters), not `{text}`"),
                    ),
                    Ok(path) if reference && path.root != Root::Input => self.report(
                        Rule::Path,
                        at.to_owned(),
                        format!("`{key}` must start with `$.` (the state's input), not `{text}`"),
                    ),
                    Ok(_) => {}
                    Err(error) => self.report(Rule::Path, at.to_owned(), error.message),
                }
            }
            _ => self.report(Rule::FieldType, at.to_owned(), format!("`{key}` must be a path string or null")),
        }
    }

    /// A field that takes a reference path: `SecondsPath`, `ItemsPath`, `MaxConcurrencyPath`, ...
    pub(crate) fn reference_path_field(&mut self, at: &str, key: &str, value: &Value) {
        match value.as_str() {
            Some(text) => match Path::parse(text) {
                Ok(path) if !path.is_reference() => self.report(
                    Rule::Path,
                    at.to_owned(),
                    format!(
                        "`{key}` must be a reference path (names and indexes only), not `{text}`"
                    ),
                ),
                Ok(_) => {}
                Err(error) => self.report(Rule::Path, at.to_owned(), error.message),
            },
            None => self.report(
                Rule::FieldType,
                at.to_owned(),
                format!("`{key}` must be a path string"),
            ),
        }
    }

    /// A payload template (`Parameters`, `ResultSelector`, `ItemSelector`, `BatchInput`, ...): any JSON value, whose
    /// objects' `.$` keys hold paths or intrinsic calls at any depth. AWS takes any JSON there, arrays and scalars
    /// included (a string at the top is a literal), as asl-validator does since 3.0.1 (its issue #67).
    pub(crate) fn template_field(&mut self, at: &str, value: &Value, language: QueryLanguage) {
        match language {
            QueryLanguage::JsonPath => self.template(at, value),
            QueryLanguage::Jsonata => self.jsonata_value(at, value),
        }
    }

    fn template(&mut self, at: &str, value: &Value) {
        match value {
            Value::Object(object) => {
                let mut stripped: BTreeMap<&str, &str> = BTreeMap::new();
                for (key, item) in object {
                    let item_at = format!("{at}/{}", escape(key));
                    let bare = key.strip_suffix(".$").unwrap_or(key);
                    if let Some(first) = stripped.insert(bare, key) {
                        self.report(
                            Rule::DuplicateKey,
                            item_at.clone(),
                            format!("`{key}` and `{first}` name the same field `{bare}`: keep one"),
                        );
                    }
                    if key.ends_with(".$") {
                        match item.as_str() {
                            Some(expression) => self.expression(&item_at, key, expression),
                            None => self.report(
                                Rule::FieldType,
                                item_at,
                                format!("`{key}` ends in `.$`, so its value must be a path or an intrinsic function string"),
                            ),
                        }
                    } else {
                        self.template(&item_at, item);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.template(&format!("{at}/{i}"), item);
                }
            }
            _ => {}
        }
    }

    /// The value of a `.$` key: a path (input, context or variable) or an intrinsic call.
    fn expression(&mut self, at: &str, key: &str, expression: &str) {
        if crate::intrinsic::looks_like_call(expression) {
            self.intrinsic(at, expression);
        } else if let Err(error) = Path::parse(expression) {
            self.report(
                Rule::Path,
                at.to_owned(),
                format!("`{key}`: {}", error.message),
            );
        }
    }

    pub(crate) fn intrinsic(&mut self, at: &str, expression: &str) {
        if let Err(error) = crate::intrinsic::parse(expression) {
            self.report(Rule::Intrinsic, at.to_owned(), error.message);
        }
    }

    /// `Assign`: an object of variable names; in JSONPath the values are templates, in JSONata expressions.
    pub(crate) fn assign(&mut self, at: &str, value: &Value, language: QueryLanguage) {
        let Some(object) = value.as_object() else {
            self.report(
                Rule::FieldType,
                at.to_owned(),
                "`Assign` must be an object of variable names and values".into(),
            );
            return;
        };
        for key in object.keys() {
            // `.$` marks a JSONPath value taken from a path; a JSONata state has no such keys.
            let name = match language {
                QueryLanguage::JsonPath => key.strip_suffix(".$").unwrap_or(key),
                QueryLanguage::Jsonata => key,
            };
            if let Err(message) = crate::names::check_variable_name(name) {
                self.report(Rule::VariableName, format!("{at}/{}", escape(key)), message);
            }
        }
        match language {
            QueryLanguage::JsonPath => self.template(at, value),
            QueryLanguage::Jsonata => self.jsonata_value(at, value),
        }
    }

    /// Strings that open a JSONata expression must close it.
    pub(crate) fn jsonata_value(&mut self, at: &str, value: &Value) {
        match value {
            Value::String(text) => match crate::jsonata_text::expression_body(text) {
                None if crate::jsonata_text::opens_expression(text) => self.report(
                    Rule::Jsonata,
                    at.to_owned(),
                    "this string opens a JSONata expression with `{%` but does not close it: write `{% expression %}`, with a `%}` of its own at the end".into(),
                ),
                None => {}
                Some(body) if body.trim().is_empty() => self.report(
                    Rule::Jsonata,
                    at.to_owned(),
                    "the JSONata expression is empty".into(),
                ),
                Some(body) => {
                    if let Err(error) = stepfn_jsonata::Expression::parse(body) {
                        let place = error
                            .position
                            .map(|p| format!(" (at character {})", p + 1))
                            .unwrap_or_default();
                        self.report(
                            Rule::Jsonata,
                            at.to_owned(),
                            format!(
                                "`{}` is not a valid JSONata expression: {}{place}",
                                body.trim(),
                                error.message
                            ),
                        );
                    }
                }
            },
            Value::Object(object) => {
                for (key, item) in object {
                    self.jsonata_value(&format!("{at}/{}", escape(key)), item);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.jsonata_value(&format!("{at}/{i}"), item);
                }
            }
            _ => {}
        }
    }
}
