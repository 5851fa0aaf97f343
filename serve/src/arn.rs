//! Names and ARNs as AWS writes and checks them. The account and region are fixed (`123456789012`, `us-east-1`, as
//! Step Functions Local answers), so any client configuration works.

use crate::api::ApiError;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// `Err(InvalidName)` unless AWS would accept `name` for a state machine or execution: 1 to 80 characters, none of
/// white space, `< > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /`, control characters (the API reference, `name`).
pub fn check_name(name: &str) -> Result<(), ApiError> {
    let count = name.chars().count();
    let bad = name.chars().find(|&c| {
        c.is_whitespace()
            || c.is_control()
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
    });
    match (count, bad) {
        (0, _) => Err(ApiError::invalid_name("a name must not be empty")),
        (81.., _) => Err(ApiError::invalid_name(format!(
            "Invalid Name: '{}' is {count} characters long; at most 80 are allowed",
            shorten(name)
        ))),
        (_, Some(c)) => Err(ApiError::invalid_name(format!(
            "Invalid Name: '{}' contains {:?}, which a name cannot hold",
            shorten(name),
            c
        ))),
        _ => Ok(()),
    }
}

pub fn state_machine(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}")
}

pub fn execution(machine: &str, name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}")
}

pub fn activity(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}")
}

/// The activity's name in its ARN.
pub fn activity_name(arn: &str) -> Result<&str, ApiError> {
    arn.strip_prefix(&format!("arn:aws:states:{REGION}:{ACCOUNT}:activity:"))
        .filter(|name| check_name(name).is_ok())
        .ok_or_else(|| {
            ApiError::invalid_arn(format!(
                "Invalid Arn: '{}' is not an activity ARN of this service",
                shorten(arn)
            ))
        })
}

/// An express execution's ARN, as StartSyncExecution answers it (AWS adds an id: express names are not unique).
pub fn express_execution(machine: &str, name: &str) -> String {
    format!(
        "arn:aws:states:{REGION}:{ACCOUNT}:express:{machine}:{name}:{}",
        uuid::Uuid::new_v4()
    )
}

/// The state machine's name in its ARN.
pub fn state_machine_name(arn: &str) -> Result<&str, ApiError> {
    arn.strip_prefix(&format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:"))
        .filter(|name| check_name(name).is_ok())
        .ok_or_else(|| {
            ApiError::invalid_arn(format!(
                "Invalid Arn: '{}' is not a state machine ARN of this service",
                shorten(arn)
            ))
        })
}

/// The state machine's and the execution's names in an execution ARN.
pub fn execution_names(arn: &str) -> Result<(&str, &str), ApiError> {
    arn.strip_prefix(&format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:"))
        .and_then(|rest| rest.split_once(':'))
        .filter(|(machine, name)| check_name(machine).is_ok() && check_name(name).is_ok())
        .ok_or_else(|| {
            ApiError::invalid_arn(format!(
                "Invalid Arn: '{}' is not an execution ARN of this service",
                shorten(arn)
            ))
        })
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(100) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_api_reference() {
        assert!(check_name("order-pipeline_2").is_ok());
        assert!(check_name("größe").is_ok());
        for bad in [
            "",
            "a b",
            "a/b",
            "a:b",
            "a$b",
            "tab\t",
            "\u{85}x",
            &"x".repeat(81),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn arns_read_back() {
        let machine = state_machine("Orders");
        assert_eq!(state_machine_name(&machine).unwrap(), "Orders");
        let execution = execution("Orders", "run-1");
        assert_eq!(execution_names(&execution).unwrap(), ("Orders", "run-1"));
        assert!(state_machine_name("arn:aws:states:eu-west-1:1:stateMachine:x").is_err());
        assert!(execution_names(&machine).is_err());
    }
}
