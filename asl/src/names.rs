//! State name rules: AWS accepts 1 to 80 characters and rejects control characters
//! (U+0000-001F, U+007F-009F) and the non-characters U+FFFE and U+FFFF.

/// The longest state name AWS accepts, in characters.
pub const MAX_STATE_NAME_CHARS: usize = 80;

/// `Err` with a message saying what to change when AWS would reject `name` as a state name.
pub fn check_state_name(name: &str) -> Result<(), String> {
    let count = name.chars().count();
    if count == 0 {
        return Err("a state name must not be empty".to_owned());
    }
    if count > MAX_STATE_NAME_CHARS {
        return Err(format!(
            "state name `{name}` is {count} characters long; AWS allows at most {MAX_STATE_NAME_CHARS}: choose a shorter name"
        ));
    }
    if let Some(bad) = name.chars().find(|&c| is_forbidden(c)) {
        return Err(format!(
            "state name `{}` contains the control character U+{:04X}, which AWS rejects: remove it",
            name.escape_debug(),
            bad as u32
        ));
    }
    Ok(())
}

fn is_forbidden(c: char) -> bool {
    matches!(c as u32, 0x00..=0x1F | 0x7F..=0x9F | 0xFFFE | 0xFFFF)
}

/// `Err` with a message when `name` cannot be a workflow (state machine) name. AWS allows 1 to 80 characters and
/// no whitespace or punctuation; a Rust identifier already has none of those, so the length is what is left.
pub fn check_workflow_name(name: &str) -> Result<(), String> {
    let count = name.chars().count();
    if count > MAX_STATE_NAME_CHARS {
        return Err(format!(
            "workflow name `{name}` is {count} characters long; AWS allows at most {MAX_STATE_NAME_CHARS}: choose a shorter name"
        ));
    }
    Ok(())
}

/// The name of the placeholder a Task state uses for a step's Lambda function ARN, without `${}`.
pub fn function_arn_placeholder(resource_key: &str) -> String {
    format!("{resource_key}FunctionArn")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_aws_accepts() {
        assert!(check_state_name("UppercaseMessage").is_ok());
        assert!(check_state_name("Hello World").is_ok());
        assert!(check_state_name(&"x".repeat(80)).is_ok());
        assert!(check_state_name(&"é".repeat(80)).is_ok());
    }

    #[test]
    fn rejects_long_empty_and_control_characters() {
        assert!(check_state_name("").is_err());
        assert!(check_state_name(&"x".repeat(81))
            .unwrap_err()
            .contains("81 characters"));
        assert!(check_state_name("a\tb").unwrap_err().contains("U+0009"));
        assert!(check_state_name("a\u{85}b").is_err());
    }
}
