//! JSONata inside ASL strings. One reading of the `{% ... %}` delimiters, shared by the validator, the typed model
//! and the executor, so a string is an expression for all of them or for none.
//!
//! AWS treats a string as a JSONata expression when its first two characters are `{%` and its last two are `%}`
//! (the Step Functions developer guide, "Transforming data with JSONata": `"{% <JSONata expression> %}"`); the
//! delimiters do not overlap, so `{%}` is not an expression. Whitespace inside the delimiters belongs to the
//! expression, where JSONata ignores it.

/// The expression between the delimiters when the whole string is one (`"{% $x %}"` → `" $x "`).
pub fn expression_body(text: &str) -> Option<&str> {
    text.strip_prefix("{%")?.strip_suffix("%}")
}

/// Whether the string opens an expression (starts with `{%`), complete or not: a string that opens one but does
/// not close it is a mistake the validator names.
pub fn opens_expression(text: &str) -> bool {
    text.starts_with("{%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_the_first_and_last_characters_and_never_overlap() {
        assert_eq!(expression_body("{% $x %}"), Some(" $x "));
        assert_eq!(expression_body("{%10%}"), Some("10"));
        assert_eq!(expression_body("{%%}"), Some(""));
        assert_eq!(expression_body("{%}"), None);
        assert_eq!(expression_body(" {% $x %}"), None);
        assert_eq!(expression_body("{% $x %} "), None);
        assert!(opens_expression("{%}"));
    }
}
