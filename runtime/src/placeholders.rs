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
    // Every problem at once, so one run of `definition KEY=ARN ...` shows all there is to fix.
    let mut problems = Vec::new();
    let mut values_by_key: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, value) in values {
        if values_by_key.insert(key, value).is_some() {
            problems.push(SubstitutionError::Twice {
                key: key.to_string(),
            });
        }
    }
    let values = values_by_key;
    let known: Vec<&str> = placeholders.iter().map(String::as_str).collect();
    for unknown in values.keys().filter(|k| !known.contains(k)) {
        let hint = stepfn_asl::closest(unknown, known.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_else(|| format!("; the placeholders are: {}", known.join(", ")));
        problems.push(SubstitutionError::Unknown {
            key: unknown.to_string(),
            hint,
        });
    }
    let missing: Vec<String> = placeholders
        .iter()
        .filter(|key| values.get(key.as_str()).is_none_or(|v| v.is_empty()))
        .cloned()
        .collect();
    if !missing.is_empty() {
        problems.push(SubstitutionError::Missing { keys: missing });
    }
    let twice = |key: &str| {
        problems
            .iter()
            .any(|p| matches!(p, SubstitutionError::Twice { key: k } if k == key))
    };
    let checked: Vec<(&str, &str)> = values
        .iter()
        .filter(|(k, v)| known.contains(k) && !v.is_empty() && !twice(k))
        .map(|(k, v)| (*k, *v))
        .collect();
    for (key, value) in checked {
        if let Err(reason) = check_value(key, value) {
            problems.push(SubstitutionError::NotAnArn {
                key: key.to_string(),
                value: value.to_string(),
                reason,
            });
        }
    }
    if problems.len() > 1 {
        return Err(SubstitutionError::Several(problems));
    }
    if let Some(problem) = problems.pop() {
        return Err(problem);
    }
    let mut text = definition.to_owned();
    for (key, value) in values {
        let quoted = serde_json::Value::from(value).to_string();
        let unquoted = quoted.get(1..quoted.len() - 1).unwrap_or_default();
        text = text.replace(&format!("${{{key}}}"), unquoted);
    }
    Ok(text)
}

/// How a Lambda function ARN is written, for messages.
const FUNCTION_ARN: &str = "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:VERSION_OR_ALIAS]";
/// How an ARN is written, for messages.
const ARN: &str = "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE";

/// Checks a value by its placeholder's name: a `...FunctionArn` (every step's) takes a Lambda function ARN, any
/// other `...Arn` an ARN; other hand-written placeholders take any text, as `DefinitionSubstitutions` does.
fn check_value(key: &str, value: &str) -> Result<(), String> {
    if key.ends_with("FunctionArn") {
        function_arn(value)
    } else if key.ends_with("Arn") {
        arn(value).map(|_| ())
    } else {
        Ok(())
    }
}

/// The parts of an ARN, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` (the resource may hold more colons),
/// with the partition `aws` or `aws-...` and a service, as the IAM User Guide's "ARN format" gives them.
fn arn(value: &str) -> Result<[&str; 5], String> {
    let mut parts = value.splitn(6, ':');
    let mut next = || parts.next().unwrap_or_default();
    let [prefix, partition, service, region, account, resource] =
        [next(), next(), next(), next(), next(), next()];
    if prefix != "arn" || resource.is_empty() {
        return Err(format!("an ARN has six parts, {ARN}"));
    }
    if !partition.starts_with("aws")
        || !chars_in(&partition[3..], |c| c.is_ascii_alphabetic() || c == '-')
    {
        return Err(format!(
            "the partition `{partition}` is not `aws`, `aws-cn`, `aws-us-gov`, ..."
        ));
    }
    if service.is_empty()
        || !chars_in(service, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
        })
    {
        return Err(format!(
            "the service `{service}` is not a service name such as `lambda`"
        ));
    }
    Ok([partition, service, region, account, resource])
}

/// A Lambda function ARN, by the pattern of `FunctionArn` in the Lambda API reference
/// (<https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html>):
/// `arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}(-gov)?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_\.]+(:(\$LATEST|[a-zA-Z0-9-_]+))?`,
/// with the function name at most 64 characters (`CreateFunction`'s `FunctionName`) and a version or alias at
/// most 128 (`Qualifier`).
fn function_arn(value: &str) -> Result<(), String> {
    let [_, service, region, account, resource] = arn(value)?;
    if service != "lambda" {
        return Err(format!("the service is `{service}`, not `lambda`"));
    }
    if !is_region(region) {
        return Err(format!(
            "the region `{region}` is not a region such as `us-east-1` or `us-gov-west-1`"
        ));
    }
    if account.len() != 12 || !chars_in(account, |c| c.is_ascii_digit()) {
        return Err(format!("the account `{account}` is not 12 digits"));
    }
    let Some(function) = resource.strip_prefix("function:") else {
        return Err(format!(
            "the resource `{resource}` does not start with `function:`"
        ));
    };
    let (name, qualifier) = match function.split_once(':') {
        Some((name, qualifier)) => (name, Some(qualifier)),
        None => (function, None),
    };
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    if name.is_empty() || name.chars().count() > 64 || !chars_in(name, name_char) {
        return Err(format!(
            "the function name `{name}` is not 1 to 64 letters, digits, `-`, `_` or `.`"
        ));
    }
    let qualifier_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    match qualifier {
        None | Some("$LATEST") => Ok(()),
        Some(q) if !q.is_empty() && q.len() <= 128 && chars_in(q, qualifier_char) => Ok(()),
        Some(q) => Err(format!(
            "the version or alias `{q}` is not `$LATEST`, a version number or an alias name"
        )),
    }
}

/// `[a-z]{2}(-gov)?-[a-z]+-\d`: `us-east-1`, `us-gov-west-1`.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let lower = |s: &str| !s.is_empty() && chars_in(s, |c| c.is_ascii_lowercase());
    let (country, area, number) = match parts.as_slice() {
        [country, area, number] => (*country, *area, *number),
        [country, "gov", area, number] => (*country, *area, *number),
        _ => return false,
    };
    country.len() == 2
        && lower(country)
        && lower(area)
        && number.len() == 1
        && chars_in(number, |c| c.is_ascii_digit())
}

fn chars_in(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    text.chars().all(allowed)
}

/// The names of the `${Name}` placeholders in a definition, sorted and each once ([`stepfn_asl::placeholders`]:
/// one rule for the runtime and the deployment template).
pub fn placeholders_in(definition: &str) -> Vec<String> {
    stepfn_asl::placeholders(definition)
}

/// Why [`crate::Workflow::definition_with`] could not fill the placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutionError {
    /// Placeholders given no value (or an empty one): all of them.
    Missing { keys: Vec<String> },
    /// A value names no placeholder of the definition.
    Unknown { key: String, hint: String },
    /// A placeholder was given two values.
    Twice { key: String },
    /// A value that is not an ARN of the shape its placeholder takes.
    NotAnArn {
        key: String,
        value: String,
        reason: String,
    },
    /// More than one of the above, each to fix.
    Several(Vec<SubstitutionError>),
}

impl fmt::Display for SubstitutionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubstitutionError::Missing { keys } => {
                let names: Vec<String> = keys.iter().map(|k| format!("`${{{k}}}`")).collect();
                let pairs: Vec<String> =
                    keys.iter().map(|k| format!("{k}={}", example(k))).collect();
                let (noun, them) = if keys.len() == 1 {
                    ("placeholder", "it")
                } else {
                    ("placeholders", "them")
                };
                write!(
                    f,
                    "no value given for the {noun} {}: give {them}, as in {}",
                    names.join(", "),
                    pairs.join(" ")
                )
            }
            SubstitutionError::Unknown { key, hint } => {
                write!(f, "`{key}` is not a placeholder of this definition{hint}")
            }
            SubstitutionError::Twice { key } => {
                write!(f, "`{key}` is given two values: give it one")
            }
            SubstitutionError::Several(problems) => {
                write!(
                    f,
                    "{} problems with the placeholder values:",
                    problems.len()
                )?;
                problems
                    .iter()
                    .try_for_each(|problem| write!(f, "\n  - {problem}"))
            }
            SubstitutionError::NotAnArn { key, value, reason } => {
                let shape = if key.ends_with("FunctionArn") {
                    FUNCTION_ARN
                } else {
                    ARN
                };
                write!(
                    f,
                    "`{value}` given for `{key}` is not an ARN of the shape {shape}: {reason}; write one such as {key}={}",
                    example(key)
                )
            }
        }
    }
}

/// A value of the right shape for the placeholder `key`, for messages.
fn example(key: &str) -> String {
    match key.strip_suffix("FunctionArn") {
        Some(name) => format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
        None => "arn:aws:SERVICE:us-east-1:123456789012:RESOURCE".into(),
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
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:step";
        assert_eq!(
            fill_placeholders(definition, [("StepFunctionArn", arn)]).unwrap(),
            format!(r#"{{"A": "{arn}"}}"#)
        );
    }

    #[test]
    fn every_missing_placeholder_is_named_at_once() {
        let definition = r#"{"A": "${AFunctionArn}", "B": "${BFunctionArn}", "C": "${CFunctionArn}", "Q": "${QueueArn}"}"#;
        let error = fill_placeholders(definition, [("BFunctionArn", "")]).unwrap_err();
        assert_eq!(
            error,
            SubstitutionError::Missing {
                keys: vec![
                    "AFunctionArn".into(),
                    "BFunctionArn".into(),
                    "CFunctionArn".into(),
                    "QueueArn".into()
                ]
            }
        );
        let message = error.to_string();
        assert!(message.starts_with("no value given for the placeholders `${AFunctionArn}`, `${BFunctionArn}`, `${CFunctionArn}`, `${QueueArn}`: give them, as in AFunctionArn=arn:aws:lambda:us-east-1:123456789012:function:A "), "{message}");
    }

    #[test]
    fn function_arns_take_the_shape_of_the_lambda_api_reference() {
        for good in [
            "arn:aws:lambda:us-east-1:123456789012:function:my-function",
            "arn:aws:lambda:eu-west-3:123456789012:function:my_function.v2:$LATEST",
            "arn:aws:lambda:us-gov-west-1:123456789012:function:f:7",
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live-alias",
        ] {
            assert_eq!(function_arn(good), Ok(()), "{good}");
        }
        for (bad, reason) in [
            ("a", "six parts"),
            ("arn:aws:lambda:us-east-1:123456789012", "six parts"),
            (
                "arn:azure:lambda:us-east-1:123456789012:function:f",
                "partition",
            ),
            (
                "arn:aws:s3:us-east-1:123456789012:function:f",
                "not `lambda`",
            ),
            ("arn:aws:lambda:useast1:123456789012:function:f", "region"),
            ("arn:aws:lambda:us-east-1:1:function:f", "12 digits"),
            (
                "arn:aws:lambda:us-east-1:123456789012:layer:f",
                "`function:`",
            ),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:",
                "function name",
            ),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:a/b",
                "function name",
            ),
            (
                &format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{}",
                    "f".repeat(65)
                ),
                "function name",
            ),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:f:",
                "version or alias",
            ),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:f:a:b",
                "version or alias",
            ),
        ] {
            let error = function_arn(bad).unwrap_err();
            assert!(error.contains(reason), "{bad}: {error}");
        }
    }

    /// The review's case: a bad ARN given while another key is missing; both are named in one error.
    #[test]
    fn every_problem_is_named_in_one_error() {
        let definition = r#"{"A": "${AFunctionArn}", "B": "${BFunctionArn}"}"#;
        let error =
            fill_placeholders(definition, [("AFunctionArn", "a"), ("Typo", "x")]).unwrap_err();
        let SubstitutionError::Several(problems) = &error else {
            panic!("{error:?}");
        };
        assert_eq!(problems.len(), 3, "{error}");
        let text = error.to_string();
        assert!(text.starts_with("3 problems"), "{text}");
        assert!(text.contains("`Typo` is not a placeholder"), "{text}");
        assert!(text.contains("`${BFunctionArn}`"), "{text}");
        assert!(text.contains("`a` given for `AFunctionArn`"), "{text}");
    }

    #[test]
    fn a_value_of_the_wrong_shape_is_refused_by_its_placeholder() {
        let definition = r#"{"A": "${AFunctionArn}", "Q": "${QueueArn}", "N": "${TableName}"}"#;
        let good = "arn:aws:lambda:us-east-1:123456789012:function:a";
        let refused = fill_placeholders(
            definition,
            [
                ("AFunctionArn", "a"),
                ("QueueArn", "arn:aws:sqs:us-east-1:123456789012:q"),
                ("TableName", "t"),
            ],
        );
        let message = refused.unwrap_err().to_string();
        assert!(message.starts_with("`a` given for `AFunctionArn` is not an ARN of the shape arn:aws:lambda:REGION:ACCOUNT:function:NAME[:VERSION_OR_ALIAS]: an ARN has six parts"), "{message}");
        assert!(
            message.ends_with(
                "write one such as AFunctionArn=arn:aws:lambda:us-east-1:123456789012:function:A"
            ),
            "{message}"
        );
        let queue = fill_placeholders(
            definition,
            [
                ("AFunctionArn", good),
                ("QueueArn", "queue"),
                ("TableName", "t"),
            ],
        );
        assert!(queue
            .unwrap_err()
            .to_string()
            .contains("`queue` given for `QueueArn`"));
        let filled = fill_placeholders(
            definition,
            [
                ("AFunctionArn", good),
                ("QueueArn", "arn:aws:sqs:us-east-1:123456789012:q"),
                ("TableName", "any \"text\""),
            ],
        );
        assert_eq!(
            filled.unwrap(),
            format!(
                r#"{{"A": "{good}", "Q": "arn:aws:sqs:us-east-1:123456789012:q", "N": "any \"text\""}}"#
            )
        );
    }
}
