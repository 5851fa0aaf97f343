//! Templates that feed a step: a Task's own `Parameters` (JSONata `Arguments`), or the `ItemSelector` of the Map
//! whose item processor starts with the step. Their keys are known at compile time but the step's input fields are
//! not (they are in a `Deserialize` impl), so `expand` turns each feed into a generated test that asks serde
//! (`stepfn::__private::misfit`).

use serde_json::{Map, Value};
use std::collections::HashMap;
use stepfn_asl::model::{Definition, JsonataValue, Kind, Scope, Template};
use syn::Path;

/// One template feeding one step.
pub struct Feed {
    pub template: String,
    pub step: Path,
    pub state: String,
    /// The keys the template writes: `null` for a value, an object for a nested object of keys.
    pub keys: Value,
}

/// Every template with literal keys that feeds a step of the definition.
pub fn feeds(document: &Value, steps: &HashMap<String, Path>) -> Vec<Feed> {
    let Ok(definition) = Definition::from_document(document.clone()) else {
        return Vec::new();
    };
    let mut feeds = Vec::new();
    collect(&definition.root, None, steps, &mut feeds);
    feeds
}

/// A Map's item selector, handed to the first state of its processor.
struct Selector<'a> {
    map: &'a str,
    keys: Value,
}

fn collect(
    scope: &Scope,
    selector: Option<Selector>,
    steps: &HashMap<String, Path>,
    feeds: &mut Vec<Feed>,
) {
    for (index, state) in scope.states.iter().enumerate() {
        if let (Kind::Task(_), Some(step)) = (&state.kind, steps.get(&state.name)) {
            let own = state
                .parameters
                .as_ref()
                .map(|template| ("Parameters", template_keys(template)))
                .or_else(|| {
                    let arguments = state.jsonata.as_ref()?.arguments.as_ref()?;
                    Some(("Arguments", jsonata_keys(arguments)))
                });
            let fed = match own {
                Some((field, keys)) => Some((format!("the `{field}` of `{}`", state.name), keys)),
                None if index == scope.start => selector.as_ref().map(|s| {
                    (
                        format!("the `ItemSelector` of Map `{}`", s.map),
                        s.keys.clone(),
                    )
                }),
                None => None,
            };
            if let Some((template, keys)) = fed {
                if keys.is_object() {
                    feeds.push(Feed {
                        template,
                        step: step.clone(),
                        state: state.name.clone(),
                        keys,
                    });
                }
            }
        }
        match &state.kind {
            Kind::Parallel { branches } => {
                for branch in branches {
                    collect(branch, None, steps, feeds);
                }
            }
            Kind::Map(map) => {
                let keys = map
                    .item_selector
                    .as_ref()
                    .map(template_keys)
                    .or_else(|| map.item_selector_jsonata.as_ref().map(jsonata_keys));
                let selector = keys.map(|keys| Selector {
                    map: &state.name,
                    keys,
                });
                collect(&map.processor, selector, steps, feeds);
            }
            _ => {}
        }
    }
}

/// The keys of a JSONPath template (`.$` stripped); `null` for anything that is not an object written out.
fn template_keys(template: &Template) -> Value {
    match template {
        Template::Object(entries) => {
            let mut keys = Map::new();
            for (key, value) in entries {
                keys.insert(
                    key.strip_suffix(".$").unwrap_or(key).to_owned(),
                    template_keys(value),
                );
            }
            Value::Object(keys)
        }
        Template::Literal(Value::Object(object)) => literal_keys(object),
        _ => Value::Null,
    }
}

fn literal_keys(object: &Map<String, Value>) -> Value {
    let keys = object
        .iter()
        .map(|(key, value)| {
            let nested = value.as_object().map_or(Value::Null, literal_keys);
            (key.clone(), nested)
        })
        .collect();
    Value::Object(keys)
}

/// The keys of a JSONata value written as an object.
fn jsonata_keys(value: &JsonataValue) -> Value {
    match value {
        JsonataValue::Object(entries) => {
            let keys = entries
                .iter()
                .map(|(key, value)| (key.clone(), jsonata_keys(value)))
                .collect();
            Value::Object(keys)
        }
        JsonataValue::Literal(Value::Object(object)) => literal_keys(object),
        _ => Value::Null,
    }
}
