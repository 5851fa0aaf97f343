//! Name rules. State names: AWS accepts 1 to 80 characters and rejects control characters (U+0000-001F,
//! U+007F-009F) and the non-characters U+FFFE and U+FFFF. Variable names: see [`check_variable_name`].

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

/// The longest variable name AWS accepts, in characters.
pub const MAX_VARIABLE_NAME_CHARS: usize = 80;

/// `Err` with a message saying what to change when AWS would reject `name` as a variable name. AWS: "Variable
/// names follow the rules for Unicode Standard Annex #31. The first character of a variable name must be a Unicode
/// ID_Start character, and the second and subsequent characters must be Unicode ID_Continue characters. The
/// maximum length of a variable name is 80" (<https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html>,
/// "Variable name syntax"). So `_total` and `order-id` are refused, `größe` and `naïve` accepted.
pub fn check_variable_name(name: &str) -> Result<(), String> {
    let count = name.chars().count();
    let mut chars = name.chars();
    match chars.next() {
        None => return Err("a variable name must not be empty".to_owned()),
        Some(first) if !is_variable_start(first) => {
            return Err(format!(
                "`{}` is not a variable name: it must start with a letter, not `{}`",
                crate::path::shorten(name),
                first.escape_debug()
            ))
        }
        Some(_) => {}
    }
    if let Some(bad) = chars.find(|&c| !is_variable_continue(c)) {
        return Err(format!(
            "`{}` is not a variable name: `{}` cannot be part of one; use letters, digits and `_` (as in `order_id`)",
            crate::path::shorten(name),
            bad.escape_debug()
        ));
    }
    if count > MAX_VARIABLE_NAME_CHARS {
        return Err(format!(
            "variable name `{}` is {count} characters long; AWS allows at most {MAX_VARIABLE_NAME_CHARS}: choose a shorter name",
            crate::path::shorten(name)
        ));
    }
    Ok(())
}

/// Unicode ID_Start (UAX #31), from the `unicode-ident` tables (their XID form, which differs from ID_Start only in
/// a few characters that change under NFKC normalization).
pub(crate) fn is_variable_start(c: char) -> bool {
    unicode_ident::is_xid_start(c)
}

/// Unicode ID_Continue (UAX #31): letters, digits, connector punctuation such as `_`, combining marks.
pub(crate) fn is_variable_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
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

/// The names of the `${Name}` placeholders in a definition (deployment-time substitutions such as a step's
/// `${<Key>FunctionArn}`), sorted and each once. A name is letters, digits, `_`, `-` and `.`.
pub fn placeholders(definition: &str) -> Vec<String> {
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
    fn variable_names_are_unicode_identifiers_of_at_most_80_characters() {
        for good in [
            "x",
            "orderId",
            "order_id",
            "größe",
            "naïve",
            "x2",
            "e\u{301}",
            &"v".repeat(80),
        ] {
            assert!(check_variable_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "_total",
            "2x",
            "order-id",
            "a.b",
            "a b",
            "a$",
            &"v".repeat(81),
        ] {
            assert!(check_variable_name(bad).is_err(), "{bad}");
        }
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
