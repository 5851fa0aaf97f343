//! Reading JSON text with stepfn's nesting limit, [`MAX_JSON_DEPTH`]. Text is first scanned for its depth without
//! recursion, so JSON nested too deep gets its own error ("nests deeper than 128 levels") instead of serde_json's
//! "recursion limit exceeded", which reads as if the text were not JSON.

use crate::limits::MAX_JSON_DEPTH;
use serde::de::DeserializeOwned;
use std::fmt;

/// Why a text is not JSON stepfn can read.
#[derive(Debug)]
pub enum JsonTextError {
    /// Arrays and objects nest deeper than [`MAX_JSON_DEPTH`].
    TooDeep,
    /// Not JSON (or not of the expected shape).
    Syntax(serde_json::Error),
}

impl fmt::Display for JsonTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonTextError::TooDeep => write!(
                f,
                "arrays and objects nest deeper than {MAX_JSON_DEPTH} levels"
            ),
            JsonTextError::Syntax(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for JsonTextError {}

/// Parses `text` as `T`, with AWS's nesting limit.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonTextError> {
    let mut deserializer = deserializer(text)?;
    let value = T::deserialize(&mut deserializer).map_err(JsonTextError::Syntax)?;
    deserializer.end().map_err(JsonTextError::Syntax)?;
    Ok(value)
}

/// A serde_json deserializer over `text`, once the text is known to nest at most [`MAX_JSON_DEPTH`] levels (the
/// scan is the limit: serde_json's own, one level short of it, is off).
pub(crate) fn deserializer(
    text: &str,
) -> Result<serde_json::Deserializer<serde_json::de::StrRead<'_>>, JsonTextError> {
    if nests_deeper_than(text, MAX_JSON_DEPTH) {
        return Err(JsonTextError::TooDeep);
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.disable_recursion_limit();
    Ok(deserializer)
}

/// Whether `[`/`{` outside strings nest deeper than `limit`, in one pass and without recursion.
fn nests_deeper_than(text: &str, limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for byte in text.bytes() {
        match (in_string, byte) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') => in_string = false,
            (true, _) => {}
            (false, b'"') => in_string = true,
            (false, b'[' | b'{') => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn reads_what_aws_reads_and_names_what_it_does_not() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(from_str::<Value>(&deep(MAX_JSON_DEPTH)).is_ok());
        assert!(matches!(
            from_str::<Value>(&deep(MAX_JSON_DEPTH + 1)),
            Err(JsonTextError::TooDeep)
        ));
        assert!(matches!(
            from_str::<Value>(&deep(200_000)),
            Err(JsonTextError::TooDeep)
        ));
        // Brackets inside strings do not count.
        assert!(from_str::<Value>(&format!("\"{}\"", "[".repeat(5000))).is_ok());
        assert!(from_str::<Value>(r#"{"a\"[": [1]}"#).is_ok());
        assert!(matches!(
            from_str::<Value>("{"),
            Err(JsonTextError::Syntax(_))
        ));
        assert!(matches!(
            from_str::<Value>("[] x"),
            Err(JsonTextError::Syntax(_))
        ));
    }
}
