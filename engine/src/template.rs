//! Payload templates of JSONPath states (`Parameters`, `ResultSelector`, `ItemSelector`, `Assign`): a JSON value whose
//! object keys ending in `.$` take their value from a path or an intrinsic call. Parsed once by the typed model; evaluating one walks
//! the template and asks a [`Resolver`] for each path.

use crate::intrinsics::{self, Entropy};
use crate::jsonpath::Query;
use crate::Failure;
use serde_json::{Map, Value};
use stepfn_asl::intrinsic::Expr;
use stepfn_asl::path::Path;

/// A template as the typed model parsed it, evaluated through [`Fill`].
pub use stepfn_asl::model::Template;

/// Where a template's paths read from: the state's input, the context object and the variables in scope.
pub trait Resolver {
    /// The value `query` selects, or `None` when it selects nothing.
    fn select(&self, query: &Query) -> Option<Value>;
    /// The value a parsed (not compiled) path selects; definite paths are walked without compiling.
    fn select_path(&self, path: &Path) -> Option<Value> {
        self.select(&crate::jsonpath::query("", path))
    }
    /// The JSON text of the document `query` reads, for error messages.
    fn describe(&self, query: &Query) -> String;
    /// The randomness `States.UUID` and `States.MathRandom` draw from.
    fn entropy(&self) -> std::sync::MutexGuard<'_, Entropy>;
}

/// Evaluating a template: a trait, as templates are `stepfn-asl`'s type.
pub trait Fill {
    /// The value the template makes, reading its paths and intrinsic calls through `resolver`.
    fn evaluate(&self, resolver: &dyn Resolver) -> Result<Value, Failure>;
}

impl Fill for Template {
    fn evaluate(&self, resolver: &dyn Resolver) -> Result<Value, Failure> {
        Ok(match self {
            Template::Literal(value) => value.clone(),
            Template::Object(fields) => {
                let mut map = Map::with_capacity(fields.len());
                for (name, template) in fields {
                    map.insert(name.clone(), template.evaluate(resolver)?);
                }
                Value::Object(map)
            }
            Template::Array(items) => {
                Value::Array(items.iter().map(|t| t.evaluate(resolver)).collect::<Result<_, _>>()?)
            }
            Template::Path { key, path } => resolver.select(path).ok_or_else(|| {
                Failure::runtime(format!(
                    "The JSONPath '{}' specified for the field '{key}' could not be found in the input '{}'",
                    path.text,
                    resolver.describe(path)
                ))
            })?,
            Template::Intrinsic { text, expr } => evaluate_intrinsic(expr, resolver)
                .map_err(|failure| in_function(failure, text))?,
        })
    }
}

/// Evaluates an intrinsic call whose path arguments read through `resolver`.
pub fn evaluate_intrinsic(expr: &Expr, resolver: &dyn Resolver) -> Result<Value, Failure> {
    let mut resolve = |path: &Path| {
        resolver.select_path(path).ok_or_else(|| {
            let query = crate::jsonpath::query("", path);
            Failure::runtime(format!(
                "The JsonPath argument for the field '{}' could not be found in the input '{}'",
                display_path(path),
                resolver.describe(&query)
            ))
        })
    };
    let mut entropy = resolver.entropy();
    intrinsics::evaluate(expr, &mut resolve, &mut entropy)
}

/// AWS's cause for a failed call: "The function 'States.Format('{}', $.nope)' had the following error: ...".
fn in_function(mut failure: Failure, text: &str) -> Failure {
    if let Some(cause) = &failure.cause {
        failure.cause = Some(format!(
            "The function '{text}' had the following error: {cause}"
        ));
    }
    failure
}

fn display_path(path: &Path) -> String {
    use stepfn_asl::path::{Root, Segment};
    let mut text = match &path.root {
        Root::Input => "$".to_string(),
        Root::Context => "$$".to_string(),
        Root::Variable(name) => format!("${name}"),
    };
    for segment in &path.segments {
        match segment {
            Segment::Field(name) => text.push_str(&format!(".{name}")),
            Segment::Index(i) => text.push_str(&format!("[{i}]")),
            _ => text.push_str("[...]"),
        }
    }
    text
}
