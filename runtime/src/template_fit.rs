//! Whether the keys a template (`Parameters`, `Arguments`, a Map's `ItemSelector`) writes are the keys a step's
//! input type reads: the check behind the test `workflow!` generates for every template that feeds a step.
//!
//! Rust cannot see a `Deserialize` impl's fields at compile time, but serde tells a deserializer which fields a
//! struct asks for, and reports a field it lacks through `de::Error::missing_field`. So the input type is
//! deserialized from the template's keys, each answering with whatever value the type asks for (the values come
//! from paths, unknown until run time): a required field the template does not write is then reported by serde
//! itself, with `Option` fields and `#[serde(default)]` honoured. What a path's value will hold, and the values'
//! types, stay unchecked.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use std::cell::RefCell;
use std::fmt;

/// How deep a value answering "anything" may nest (`Option<Box<Self>>` would nest for ever).
const MAX_DEPTH: usize = 16;
/// How many missing fields are collected (one per attempt).
const MAX_ATTEMPTS: usize = 64;

/// One template that feeds a step, as `workflow!` describes it.
pub struct TemplateFeed {
    /// Where the template is: "the `ItemSelector` of Map `Resize`".
    pub template: &'static str,
    /// The state name of the step it feeds.
    pub step: &'static str,
    /// The keys it writes, as JSON: an object whose values are `null` (any value) or a nested object of keys.
    pub keys: &'static str,
    /// Runs the check against the step's input type.
    pub check: fn(&Value) -> Option<Misfit>,
}

/// Required fields of the input type that the template does not write.
#[derive(Debug, PartialEq, Eq)]
pub struct Misfit {
    /// The input type, as Rust names it.
    pub input_type: &'static str,
    /// Each missing field: its place (`items[].size.width` style, `""` for the top) and name, with the template's
    /// key that looks like it, if any.
    pub missing: Vec<(String, &'static str, Option<String>)>,
}

/// Checks the template keys `keys` against the input type `T`.
pub fn misfit<T: DeserializeOwned>(keys: &Value) -> Option<Misfit> {
    let mut keys = keys.clone();
    let mut missing = Vec::new();
    for _ in 0..MAX_ATTEMPTS {
        let state = RefCell::new(Progress::default());
        let result = T::deserialize(Keys {
            keys: &keys,
            at: String::new(),
            state: &state,
        });
        let Err(FitError::Missing(field)) = result else {
            break;
        };
        let progress = state.into_inner();
        let at = progress.last_ended.unwrap_or_default();
        let given: Vec<String> = progress.unread.get(&at).cloned().unwrap_or_default();
        let like = given.into_iter().find(|key| same_words(key, field));
        // Write the field, so the next attempt reports the next one.
        let Some(object) = object_at(&mut keys, &at) else {
            break;
        };
        object.insert(field.to_owned(), Value::Null);
        missing.push((at, field, like));
    }
    (!missing.is_empty()).then(|| Misfit {
        input_type: std::any::type_name::<T>(),
        missing,
    })
}

/// Runs every check of a workflow's templates: one message naming each misfit and its fix, if any.
pub fn check_templates(feeds: &[TemplateFeed]) -> Result<(), String> {
    let mut report = String::new();
    for feed in feeds {
        let keys: Value = serde_json::from_str(feed.keys).unwrap_or(Value::Null);
        let Some(misfit) = (feed.check)(&keys) else {
            continue;
        };
        for (at, field, like) in misfit.missing {
            let place = if at.is_empty() {
                String::new()
            } else {
                format!(" inside `{at}`")
            };
            let fix = match like {
                Some(key) => format!("rename its key `{key}` to `{field}`"),
                None => format!("add `\"{field}.$\": \"$.path\"` (or a literal `{field}`)"),
            };
            report.push_str(&format!(
                "\n- {} feeds step `{}`, whose input type `{}` needs field `{field}`{place}, which it does not write: {fix}",
                feed.template, feed.step, misfit.input_type
            ));
        }
    }
    if report.is_empty() {
        return Ok(());
    }
    Err(format!(
        "a template does not write what its step reads (a run would fail with Stepfn.InvalidInput there):{report}"
    ))
}

/// `targetWidth` and `target_width` name the same words.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    words(a) == words(b)
}

fn object_at<'a>(keys: &'a mut Value, at: &str) -> Option<&'a mut serde_json::Map<String, Value>> {
    let mut value = keys;
    for segment in at.split('.').filter(|s| !s.is_empty()) {
        value = value.get_mut(segment)?;
    }
    value.as_object_mut()
}

/// What the attempt saw: the last object of template keys that a struct finished reading (serde reports a
/// missing field right after), and for each object the keys the struct did not ask for.
#[derive(Default)]
struct Progress {
    last_ended: Option<String>,
    unread: std::collections::HashMap<String, Vec<String>>,
}

#[derive(Debug)]
enum FitError {
    Missing(&'static str),
    Other,
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::Missing(field) => write!(f, "missing field `{field}`"),
            FitError::Other => f.write_str("the value does not fit"),
        }
    }
}

impl std::error::Error for FitError {}

impl de::Error for FitError {
    fn custom<T: fmt::Display>(_: T) -> Self {
        FitError::Other
    }
    fn missing_field(field: &'static str) -> Self {
        FitError::Missing(field)
    }
}

/// An object of template keys.
struct Keys<'a> {
    keys: &'a Value,
    at: String,
    state: &'a RefCell<Progress>,
}

impl<'de> de::Deserializer<'de> for Keys<'_> {
    type Error = FitError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FitError> {
        let Some(object) = self.keys.as_object() else {
            return Anything { depth: 0 }.deserialize_any(visitor);
        };
        let entries: Vec<(String, &Value)> = object.iter().map(|(k, v)| (k.clone(), v)).collect();
        visitor.visit_map(KeyEntries {
            entries: entries.into_iter(),
            value: None,
            at_key: None,
            at: self.at,
            state: self.state,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FitError> {
        if let Some(object) = self.keys.as_object() {
            let unread = object
                .keys()
                .filter(|k| !fields.contains(&k.as_str()))
                .cloned()
                .collect();
            self.state
                .borrow_mut()
                .unread
                .insert(self.at.clone(), unread);
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FitError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FitError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq
        tuple tuple_struct map enum identifier ignored_any
    }
}

struct KeyEntries<'a, I> {
    entries: I,
    value: Option<&'a Value>,
    /// The place of the key just read, for its value.
    at_key: Option<String>,
    at: String,
    state: &'a RefCell<Progress>,
}

impl<'de, 'a, I: Iterator<Item = (String, &'a Value)>> MapAccess<'de> for KeyEntries<'a, I> {
    type Error = FitError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FitError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let at = if self.at.is_empty() {
                    key.clone()
                } else {
                    format!("{}.{key}", self.at)
                };
                self.state.borrow_mut().last_ended = None;
                let key: de::value::StringDeserializer<FitError> = key.into_deserializer();
                let key = seed.deserialize(key)?;
                self.at_key = Some(at);
                Ok(Some(key))
            }
            None => {
                self.state.borrow_mut().last_ended = Some(self.at.clone());
                Ok(None)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FitError> {
        let value = self.value.take().unwrap_or(&Value::Null);
        let at = self.at_key.take().unwrap_or_default();
        if value.is_object() {
            seed.deserialize(Keys {
                keys: value,
                at,
                state: self.state,
            })
        } else {
            seed.deserialize(Anything { depth: 0 })
        }
    }
}

/// A value from a path: it is whatever the type asks for.
struct Anything {
    depth: usize,
}

impl Anything {
    fn deeper(&self) -> Result<Anything, FitError> {
        if self.depth >= MAX_DEPTH {
            return Err(FitError::Other);
        }
        Ok(Anything {
            depth: self.depth + 1,
        })
    }
}

/// Deserializer methods that answer with one fixed value of the asked-for type.
macro_rules! answer {
    ($($method:ident => $visit:ident($($value:expr)?)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FitError> {
                visitor.$visit($($value)?)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Anything {
    type Error = FitError;

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FitError> {
        visitor.visit_newtype_struct(self.deeper()?)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FitError> {
        visitor.visit_seq(Many {
            left: 0,
            depth: self.depth,
        })
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, FitError> {
        visitor.visit_seq(Many {
            left: len,
            depth: self.depth + 1,
        })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, FitError> {
        self.deserialize_tuple(len, visitor)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FitError> {
        visitor.visit_map(AllFields {
            fields: [].iter(),
            depth: self.depth,
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FitError> {
        let depth = self.deeper()?.depth;
        visitor.visit_map(AllFields {
            fields: fields.iter(),
            depth,
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FitError> {
        let Some(first) = variants.first() else {
            return Err(FitError::Other);
        };
        let depth = self.deeper()?.depth;
        visitor.visit_enum(FirstVariant { name: first, depth })
    }

    answer! {
        deserialize_any => visit_unit(),
        deserialize_bool => visit_bool(false),
        deserialize_i64 => visit_i64(0),
        deserialize_u64 => visit_u64(0),
        deserialize_f64 => visit_f64(0.0),
        deserialize_char => visit_char(' '),
        deserialize_str => visit_str(""),
        deserialize_bytes => visit_bytes(&[]),
        deserialize_option => visit_none(),
        deserialize_i8 => visit_i8(0),
        deserialize_i16 => visit_i16(0),
        deserialize_i32 => visit_i32(0),
        deserialize_i128 => visit_i128(0),
        deserialize_u8 => visit_u8(0),
        deserialize_u16 => visit_u16(0),
        deserialize_u32 => visit_u32(0),
        deserialize_u128 => visit_u128(0),
        deserialize_f32 => visit_f32(0.0),
        deserialize_string => visit_string(String::new()),
        deserialize_byte_buf => visit_byte_buf(Vec::new()),
        deserialize_identifier => visit_str(""),
    }

    serde::forward_to_deserialize_any! {
        unit unit_struct ignored_any
    }
}

/// Every field a struct asks for, each answering anything.
struct AllFields {
    fields: std::slice::Iter<'static, &'static str>,
    depth: usize,
}

impl<'de> MapAccess<'de> for AllFields {
    type Error = FitError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FitError> {
        match self.fields.next() {
            Some(field) => {
                let field: de::value::StrDeserializer<FitError> = field.into_deserializer();
                seed.deserialize(field).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FitError> {
        seed.deserialize(Anything { depth: self.depth })
    }
}

/// A tuple's elements, each answering anything.
struct Many {
    left: usize,
    depth: usize,
}

impl<'de> SeqAccess<'de> for Many {
    type Error = FitError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, FitError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(Anything { depth: self.depth }).map(Some)
    }
}

/// An enum value: its first variant, with anything inside.
struct FirstVariant {
    name: &'static str,
    depth: usize,
}

impl<'de> de::EnumAccess<'de> for FirstVariant {
    type Error = FitError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), FitError> {
        let name: de::value::StrDeserializer<FitError> = self.name.into_deserializer();
        let name = seed.deserialize(name)?;
        Ok((name, self))
    }
}

impl<'de> de::VariantAccess<'de> for FirstVariant {
    type Error = FitError;

    fn unit_variant(self) -> Result<(), FitError> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, FitError> {
        seed.deserialize(Anything { depth: self.depth })
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, FitError> {
        visitor.visit_seq(Many {
            left: len,
            depth: self.depth,
        })
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FitError> {
        visitor.visit_map(AllFields {
            fields: fields.iter(),
            depth: self.depth,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Resize {
        id: String,
        target_width: u32,
        note: Option<String>,
        #[serde(default)]
        quality: u8,
        size: Size,
    }

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Size {
        width: u32,
        height: u32,
    }

    #[test]
    fn every_required_field_written_fits() {
        let keys = json!({"id": null, "target_width": null, "size": null, "extra": null});
        assert_eq!(misfit::<Resize>(&keys), None);
        let nested =
            json!({"id": null, "target_width": null, "size": {"width": null, "height": null}});
        assert_eq!(misfit::<Resize>(&nested), None);
    }

    #[test]
    fn a_misnamed_key_is_named_with_its_fix() {
        // The trial's bug: `"targetWidth.$"` for a field the step reads as `target_width`.
        let keys = json!({"id": null, "targetWidth": null, "size": null});
        let misfit = misfit::<Resize>(&keys).expect("a missing field");
        assert_eq!(
            misfit.missing,
            vec![(
                String::new(),
                "target_width",
                Some("targetWidth".to_owned())
            )]
        );
    }

    #[test]
    fn every_missing_field_is_reported_at_its_place() {
        let keys = json!({"size": {"width": null}});
        let misfit = misfit::<Resize>(&keys).expect("missing fields");
        let names: Vec<(&str, &str)> = misfit
            .missing
            .iter()
            .map(|(at, f, _)| (at.as_str(), *f))
            .collect();
        assert_eq!(
            names,
            [("size", "height"), ("", "id"), ("", "target_width")]
        );
    }

    #[test]
    fn any_value_fits_types_that_nest_without_end() {
        #[allow(dead_code)]
        #[derive(Deserialize)]
        struct Node {
            next: Box<Node>,
            tag: Tag,
            list: Vec<Node>,
            pair: (u8, String),
        }
        #[allow(dead_code)]
        #[derive(Deserialize)]
        enum Tag {
            A { x: u8 },
            B,
        }
        assert_eq!(
            misfit::<Node>(&json!({"next": null, "tag": null, "list": null, "pair": null})),
            None
        );
        assert!(misfit::<Node>(&json!({"tag": null})).is_some());
        assert_eq!(misfit::<Value>(&json!({"a": null})), None);
        assert_eq!(
            misfit::<std::collections::HashMap<String, u8>>(&json!({"a": null})),
            None
        );
    }

    #[test]
    fn the_report_names_the_fix() {
        let report = check_templates(&[TemplateFeed {
            template: "the `ItemSelector` of Map `ResizeAll`",
            step: "Resize",
            keys: r#"{"id": null, "targetWidth": null, "size": null}"#,
            check: misfit::<Resize>,
        }])
        .unwrap_err();
        assert!(
            report.contains("the `ItemSelector` of Map `ResizeAll` feeds step `Resize`"),
            "{report}"
        );
        assert!(
            report.contains("rename its key `targetWidth` to `target_width`"),
            "{report}"
        );
    }
}
