//! The [`Workflow`] trait that `workflow!` implements: the emitted definition and the steps behind it.

use crate::lambda::Handler;
use std::collections::BTreeMap;
use std::fmt;

/// A workflow declared with `workflow!`.
pub trait Workflow {
    /// The workflow's name; its definition is written to `target/stepfn/<NAME>.asl.json`.
    const NAME: &'static str;
    /// The ASL definition, byte for byte the file `cargo build` wrote. Task states over steps name their Lambda
    /// function with a placeholder, `${<Key>FunctionArn}`, for CloudFormation/SAM `DefinitionSubstitutions`.
    const DEFINITION: &'static str;

    /// The steps the workflow invokes, one per Lambda function.
    fn handlers() -> Vec<Handler>;

    /// The placeholder names in [`Self::DEFINITION`], e.g. `UppercaseMessageFunctionArn`, sorted.
    fn placeholders() -> Vec<String> {
        let mut keys: Vec<String> = Self::handlers()
            .iter()
            .map(|h| placeholder(h.resource_key))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The definition with each placeholder replaced by the ARN given for it, for deploying without
    /// `DefinitionSubstitutions` (e.g. `aws stepfunctions create-state-machine`). Every placeholder needs a value.
    fn definition_with<'a>(
        arns: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<String, MissingSubstitution> {
        let arns: BTreeMap<&str, &str> = arns.into_iter().collect();
        let mut text = Self::DEFINITION.to_owned();
        for key in Self::placeholders() {
            let arn = arns
                .get(key.as_str())
                .ok_or_else(|| MissingSubstitution { key: key.clone() })?;
            let quoted = serde_json::to_string(arn).expect("a string always serializes");
            text = text.replace(&format!("${{{key}}}"), &quoted[1..quoted.len() - 1]);
        }
        Ok(text)
    }
}

pub use stepfn_asl::function_arn_placeholder as placeholder;

/// A placeholder of the definition that [`Workflow::definition_with`] was given no value for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSubstitution {
    pub key: String,
}

impl fmt::Display for MissingSubstitution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no ARN given for the placeholder `${{{}}}`: pass (\"{}\", \"arn:aws:lambda:...\")",
            self.key, self.key
        )
    }
}

impl std::error::Error for MissingSubstitution {}
