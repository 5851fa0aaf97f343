//! A Task's (or an ItemReader's, a ResultWriter's) `Resource`: an ARN, and for a Lambda function ARN one Lambda
//! itself would accept, so a malformed qualifier fails the build rather than the first invocation.

use super::Checker;
use crate::problem::Rule;

/// The longest Lambda function name and qualifier (version or alias), in characters, as the Lambda API's
/// `FunctionName` and `Qualifier` parameters allow them.
const MAX_FUNCTION_NAME: usize = 64;
const MAX_QUALIFIER: usize = 128;

impl Checker {
    pub(crate) fn resource(&mut self, at: &str, resource: &str) {
        // `${Name}` is a deployment-time substitution (CloudFormation, SAM, CDK, `workflow!`'s function ARNs):
        // what it becomes is checked where it is filled in.
        if resource.contains("${") {
            return;
        }
        let parts: Vec<&str> = resource.splitn(6, ':').collect();
        let valid = resource.starts_with("arn:")
            && parts.len() >= 6
            && parts.iter().skip(1).take(2).all(|p| !p.is_empty());
        if !valid {
            self.report(
                Rule::FieldValue,
                at.to_owned(),
                format!("`Resource` must be an ARN, as in `arn:aws:states:::lambda:invoke` or a Lambda function ARN, not `{resource}`"),
            );
            return;
        }
        if let (Some(&"lambda"), Some(function)) =
            (parts.get(2), parts[5].strip_prefix("function:"))
        {
            if let Err(message) = lambda_function(function) {
                self.report(Rule::FieldValue, at.to_owned(), message);
            }
        }
    }
}

/// `NAME` or `NAME:QUALIFIER` of `arn:aws:lambda:REGION:ACCOUNT:function:...`, checked against the patterns of the
/// Lambda `Invoke` API (<https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html>): a name of letters, digits,
/// `-`, `_` (and `.`), and an optional qualifier that is `$LATEST`, a version number or an alias of letters, digits,
/// `-` and `_`.
fn lambda_function(function: &str) -> Result<(), String> {
    let (name, qualifier) = match function.split_once(':') {
        Some((name, qualifier)) => (name, Some(qualifier)),
        None => (function, None),
    };
    let name_ok = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if name.is_empty() || name.chars().count() > MAX_FUNCTION_NAME || !name.chars().all(name_ok) {
        return Err(format!(
            "`{name}` is not a Lambda function name: use 1 to {MAX_FUNCTION_NAME} letters, digits, `-` or `_`"
        ));
    }
    let Some(qualifier) = qualifier else {
        return Ok(());
    };
    let alias_ok = |c: char| c.is_ascii_alphanumeric() || "-_".contains(c);
    if qualifier.is_empty() {
        return Err(format!(
            "the function ARN ends with `{name}:` and no qualifier: drop the last `:`, or write a version (`$LATEST` or a number) or an alias after it"
        ));
    }
    if qualifier != "$LATEST"
        && (qualifier.chars().count() > MAX_QUALIFIER || !qualifier.chars().all(alias_ok))
    {
        return Err(format!(
            "`{}` is not a Lambda version or alias: write `$LATEST`, a version number, or an alias of letters, digits, `-` and `_` (at most {MAX_QUALIFIER})",
            crate::path::shorten(qualifier)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::lambda_function;

    #[test]
    fn function_names_and_qualifiers_as_lambda_reads_them() {
        for good in [
            "f",
            "my-function_1",
            "f:$LATEST",
            "f:12",
            "f:prod-2",
            "f.v2",
        ] {
            assert!(lambda_function(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "f:",
            "f:$*#$7485",
            "f:a:b",
            "f g",
            ":1",
            &"x".repeat(65),
        ] {
            assert!(lambda_function(bad).is_err(), "{bad}");
        }
    }
}
