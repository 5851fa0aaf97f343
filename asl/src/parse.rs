//! Reading an ASL document from text. `serde_json` keeps the last of two equal keys without a word; AWS rejects
//! such a document, so this parser reports every duplicate key with its pointer while building the value.

use crate::json_text::JsonTextError;
use crate::problem::{Problem, Rule};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The document, and a problem for every key that appears twice in one object.
/// Nesting past [`crate::limits::MAX_JSON_DEPTH`] levels is an error too.
pub fn parse_document(text: &str) -> Result<(Value, Vec<Problem>), JsonTextError> {
    let mut problems = Vec::new();
    let mut deserializer = crate::json_text::deserializer(text)?;
    let value = Node {
        pointer: String::new(),
        problems: &mut problems,
    }
    .deserialize(&mut deserializer)
    .map_err(JsonTextError::Syntax)?;
    deserializer.end().map_err(JsonTextError::Syntax)?;
    Ok((value, problems))
}

/// A value at `pointer`, collecting duplicate keys into `problems`.
struct Node<'p> {
    pointer: String,
    problems: &'p mut Vec<Problem>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Node {
            pointer: format!("{}/{}", self.pointer, items.len()),
            problems: self.problems,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, crate::pointer_segment(&key));
            let value = map.next_value_seed(Node {
                pointer: pointer.clone(),
                problems: self.problems,
            })?;
            if object.contains_key(&key) {
                self.problems.push(Problem {
                    rule: Rule::DuplicateKey,
                    pointer,
                    message: format!("`{key}` appears twice in this object: JSON parsers keep one silently; keep one"),
                    cause: None,
                });
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_duplicate_keys_with_pointers() {
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}"#;
        let (value, problems) = parse_document(text).unwrap();
        assert_eq!(value["States"]["A"]["Type"], "Succeed");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pointer, "/States/A");
        assert_eq!(problems[0].rule, Rule::DuplicateKey);
    }

    #[test]
    fn keeps_key_order_and_rejects_malformed_json() {
        let (value, problems) = parse_document(r#"{"b": 1, "a": [true, null, 1.5]}"#).unwrap();
        assert!(problems.is_empty());
        assert_eq!(
            value.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert!(parse_document("{").is_err());
        assert!(parse_document("{} trailing").is_err());
    }
}
