//! The `${Name}` placeholders of a definition (each step's `${<Key>FunctionArn}`, and any written by hand) and
//! filling them in, for deploying without CloudFormation's `DefinitionSubstitutions`. Developer-machine code: part
//! of the `local` feature.

use std::collections::BTreeMap;
use std::fmt;

pub use stepfn_asl::function_arn_placeholder as placeholder;

/// `definition` with each placeholder replaced by its value: [`crate::Workflow::definition_with`].
pub(crate) fn fill_placeholders<'a>(
    definition: &str,
    values: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<String, SubstitutionError> {
    let placeholders = placeholders_in(definition);
    let mut values_by_key: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, value) in values {
        if values_by_key.insert(key, value).is_some() {
            return Err(SubstitutionError::Twice {
                key: key.to_string(),
            });
        }
    }
    let values = values_by_key;
    if let Some(unknown) = values
        .keys()
        .find(|k| !placeholders.iter().any(|p| p == *k))
    {
        let known: Vec<&str> = placeholders.iter().map(String::as_str).collect();
        let hint = stepfn_asl::closest(unknown, known.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_else(|| format!("; the placeholders are: {}", known.join(", ")));
        return Err(SubstitutionError::Unknown {
            key: unknown.to_string(),
            hint,
        });
    }
    let mut text = definition.to_owned();
    for key in placeholders {
        let value = values.get(key.as_str()).filter(|v| !v.is_empty());
        let value = value.ok_or_else(|| SubstitutionError::Missing { key: key.clone() })?;
        let quoted = serde_json::to_string(value).expect("a string always serializes");
        text = text.replace(&format!("${{{key}}}"), &quoted[1..quoted.len() - 1]);
    }
    Ok(text)
}

/// The names of the `${Name}` placeholders in a definition, sorted and each once.
pub fn placeholders_in(definition: &str) -> Vec<String> {
    let mut keys: Vec<String> = definition
        .split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(key, _)| key))
        .filter(|key| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
        })
        .map(str::to_owned)
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Why [`crate::Workflow::definition_with`] could not fill the placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutionError {
    /// A placeholder was given no value (or an empty one).
    Missing { key: String },
    /// A value names no placeholder of the definition.
    Unknown { key: String, hint: String },
    /// A placeholder was given two values.
    Twice { key: String },
}

impl fmt::Display for SubstitutionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubstitutionError::Missing { key } => {
                write!(
                    f,
                    "no value given for the placeholder `${{{key}}}`: give {key}=arn:aws:..."
                )
            }
            SubstitutionError::Unknown { key, hint } => {
                write!(f, "`{key}` is not a placeholder of this definition{hint}")
            }
            SubstitutionError::Twice { key } => {
                write!(f, "`{key}` is given two values: give it one")
            }
        }
    }
}

impl std::error::Error for SubstitutionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_placeholder_once() {
        let definition = r#"{"A": "${StepFunctionArn}", "B": "${QueueArn}", "C": "${StepFunctionArn}", "D": "$.x"}"#;
        assert_eq!(placeholders_in(definition), ["QueueArn", "StepFunctionArn"]);
    }

    #[test]
    fn a_placeholder_given_twice_is_refused() {
        let definition = r#"{"A": "${StepFunctionArn}"}"#;
        let error = fill_placeholders(
            definition,
            [("StepFunctionArn", "a"), ("StepFunctionArn", "b")],
        )
        .unwrap_err();
        assert_eq!(
            error,
            SubstitutionError::Twice {
                key: "StepFunctionArn".into()
            }
        );
        assert_eq!(
            fill_placeholders(definition, [("StepFunctionArn", "arn:x")]).unwrap(),
            r#"{"A": "arn:x"}"#
        );
    }
}
