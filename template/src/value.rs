//! Reading a Task's `Parameters` (JSONPath) or `Arguments` (JSONata) from the typed model: a field is a literal
//! string, something only known at run time (a path, an intrinsic, a JSONata expression), or absent.

use serde_json::Value;
use stepfn_asl::model::{JsonataValue, State, Template};

/// A value inside a Task's payload.
#[derive(Clone, Copy)]
pub(crate) enum Arg<'a> {
    Template(&'a Template),
    Jsonata(&'a JsonataValue),
    Json(&'a Value),
    /// Computed at run time: a `"key.$"` path or intrinsic, or a JSONata expression.
    Dynamic,
}

/// A field's string as the template can use it.
pub(crate) enum Text<'a> {
    Literal(&'a str),
    /// Not a literal string: computed at run time, or not a string at all.
    Dynamic,
}

/// The payload the state sends to its resource: `Parameters`, or `Arguments` of a JSONata state.
pub(crate) fn payload(state: &State) -> Option<Arg<'_>> {
    if let Some(arguments) = state.jsonata.as_ref().and_then(|j| j.arguments.as_ref()) {
        return Some(Arg::Jsonata(arguments));
    }
    state.parameters.as_ref().map(Arg::Template)
}

impl<'a> Arg<'a> {
    /// The field `key` of an object; `Dynamic` when the object (or the field, as `"key.$"`) is computed.
    pub fn get(self, key: &str) -> Option<Arg<'a>> {
        match self {
            Arg::Template(Template::Object(entries)) => entries.iter().find_map(|(k, v)| {
                if k == key {
                    Some(Arg::Template(v))
                } else if k.strip_suffix(".$") == Some(key) {
                    Some(Arg::Dynamic)
                } else {
                    None
                }
            }),
            Arg::Template(Template::Literal(value)) | Arg::Json(value) => {
                value.as_object()?.get(key).map(Arg::Json)
            }
            Arg::Jsonata(JsonataValue::Object(entries)) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| Arg::Jsonata(v)),
            Arg::Jsonata(JsonataValue::Literal(value)) => {
                value.as_object()?.get(key).map(Arg::Json)
            }
            Arg::Jsonata(JsonataValue::Expr { .. })
            | Arg::Template(Template::Path { .. } | Template::Intrinsic { .. })
            | Arg::Dynamic => Some(Arg::Dynamic),
            Arg::Template(Template::Array(_)) | Arg::Jsonata(JsonataValue::Array(_)) => None,
        }
    }

    /// The items of an array; `None` when it is computed or not an array.
    pub fn items(self) -> Option<Vec<Arg<'a>>> {
        match self {
            Arg::Template(Template::Array(items)) => {
                Some(items.iter().map(Arg::Template).collect())
            }
            Arg::Jsonata(JsonataValue::Array(items)) => {
                Some(items.iter().map(Arg::Jsonata).collect())
            }
            Arg::Template(Template::Literal(value))
            | Arg::Json(value)
            | Arg::Jsonata(JsonataValue::Literal(value)) => {
                Some(value.as_array()?.iter().map(Arg::Json).collect())
            }
            _ => None,
        }
    }

    pub fn text(self) -> Text<'a> {
        match self {
            Arg::Template(Template::Literal(Value::String(s)))
            | Arg::Json(Value::String(s))
            | Arg::Jsonata(JsonataValue::Literal(Value::String(s))) => Text::Literal(s),
            _ => Text::Dynamic,
        }
    }
}
