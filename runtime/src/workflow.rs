//! The [`Workflow`] trait that `workflow!` implements: the emitted definition and the steps behind it.

use crate::lambda::Handler;
use crate::local::{step_resources, CompileError, Machine, Options, Outcome};
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;

/// A workflow declared with `workflow!`.
pub trait Workflow {
    /// The workflow's name; its definition is written to `target/stepfn/<NAME>.asl.json`.
    const NAME: &'static str;
    /// The ASL definition, byte for byte the file `cargo build` wrote. Task states over steps name their Lambda
    /// function with a placeholder, `${<Key>FunctionArn}`, for CloudFormation/SAM `DefinitionSubstitutions`.
    const DEFINITION: &'static str;

    /// The steps the workflow invokes, one per Lambda function.
    fn handlers() -> Vec<Handler>;

    /// The definition compiled for the local executor, named after the workflow.
    fn machine() -> Result<Machine, CompileError> {
        Machine::from_json(Self::DEFINITION).map(|machine| machine.named(Self::NAME))
    }

    /// Runs the workflow locally on `input` with its real steps, in real time, keeping the history: the output (or
    /// error) and every event, as [`Outcome`]. Tasks that are not steps of this workflow need mocks: see
    /// [`crate::testing`] or [`Workflow::run_with`].
    fn run(input: serde_json::Value) -> impl Future<Output = Outcome> + Send
    where
        Self: Sized,
    {
        Self::run_with(
            input,
            Options {
                history: true,
                ..Options::default()
            },
        )
    }

    /// Runs the workflow locally with the given options; the workflow's steps are added to `options.resources`
    /// (handlers already there for the same resource or state, such as mocks, win).
    fn run_with(
        input: serde_json::Value,
        mut options: Options,
    ) -> impl Future<Output = Outcome> + Send
    where
        Self: Sized,
    {
        let mut resources = step_resources(&Self::handlers());
        resources.merge(&options.resources);
        options.resources = resources;
        let machine = Self::machine();
        async move {
            match machine {
                Ok(machine) => machine.run(input, &options).await,
                Err(error) => Outcome {
                    status: crate::local::Status::Failed,
                    output: None,
                    error: Some("States.Runtime".into()),
                    cause: Some(format!(
                        "the definition of {} cannot run locally: {error}",
                        Self::NAME
                    )),
                    history: Vec::new(),
                },
            }
        }
    }

    /// The placeholder names in [`Self::DEFINITION`] (`${Name}` anywhere in it, such as
    /// `UppercaseMessageFunctionArn` for a step or one written by hand in a `Task("${QueueArn}")`), sorted.
    fn placeholders() -> Vec<String> {
        placeholders_in(Self::DEFINITION)
    }

    /// The definition with each placeholder replaced by the value given for it, for deploying without
    /// `DefinitionSubstitutions` (e.g. `aws stepfunctions create-state-machine`). Every placeholder needs a
    /// non-empty value, and every value must name a placeholder.
    fn definition_with<'a>(
        values: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<String, SubstitutionError> {
        let placeholders = Self::placeholders();
        let values: BTreeMap<&str, &str> = values.into_iter().collect();
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
        let mut text = Self::DEFINITION.to_owned();
        for key in placeholders {
            let value = values.get(key.as_str()).filter(|v| !v.is_empty());
            let value = value.ok_or_else(|| SubstitutionError::Missing { key: key.clone() })?;
            let quoted = serde_json::to_string(value).expect("a string always serializes");
            text = text.replace(&format!("${{{key}}}"), &quoted[1..quoted.len() - 1]);
        }
        Ok(text)
    }
}

pub use stepfn_asl::function_arn_placeholder as placeholder;

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

/// Why [`Workflow::definition_with`] could not fill the placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutionError {
    /// A placeholder was given no value (or an empty one).
    Missing { key: String },
    /// A value names no placeholder of the definition.
    Unknown { key: String, hint: String },
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
}
