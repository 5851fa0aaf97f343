//! JSONata in states with `QueryLanguage: "JSONata"`: field values where every `{% ... %}` string is an expression
//! (`Arguments`, `Output`, `Assign`, `Condition`, `Items`, `ItemSelector`, `Seconds`, `Error`, ...), compiled once
//! with `stepfn-jsonata` and evaluated with `$states` (input, result, errorOutput, context), the variables in scope
//! and the functions Step Functions adds (`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`).
//! Failures are `States.QueryEvaluationError` with AWS's causes.

use crate::failure::names;
use crate::intrinsics::Entropy;
use crate::Failure;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use stepfn_jsonata::{Bindings, NativeFunction};

/// A field value of a JSONata state, as the typed model parsed it.
pub(crate) use stepfn_asl::model::JsonataValue as JValue;

/// The longest one expression may evaluate: a recursion that never deepens (a tail call) or a huge loop ends with
/// `States.QueryEvaluationError` (JSONata's U1001) instead of holding the execution forever. stepfn's bound; AWS
/// documents none.
pub(crate) const TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What the expressions of one state's evaluation see: `$states`, the variables and the added functions, bound once
/// for all the expressions of a field.
pub(crate) struct Scope {
    bindings: Bindings,
}

impl Scope {
    /// `variables` in scope, innermost last (inner names win); the added functions draw their randomness from a
    /// generator split off `entropy`, so each evaluation gets fresh values and seeded runs repeat.
    pub fn new(states: Value, variables: &[(&str, &Value)], entropy: &Mutex<Entropy>) -> Scope {
        let entropy = entropy.lock().unwrap_or_else(|e| e.into_inner()).split();
        let mut bindings = Bindings::new();
        bindings.time_limit = Some(TIME_LIMIT);
        for (name, value) in variables {
            bindings.variable(*name, (*value).clone());
        }
        bindings.variable("states", states);
        add_functions(&mut bindings, entropy);
        Scope { bindings }
    }
}

/// Evaluation of the model's JSONata values (a trait: the values are `stepfn-asl`'s type).
pub(crate) trait Evaluate {
    /// Evaluates the value; `field` is its place (`Output`, `Assign/total`) for error messages, and `preamble`
    /// AWS's "An error occurred while executing the state ..." prefix.
    fn evaluate(&self, field: &str, scope: &Scope, preamble: &str) -> Result<Value, Failure>;
}

impl Evaluate for JValue {
    fn evaluate(&self, field: &str, scope: &Scope, preamble: &str) -> Result<Value, Failure> {
        match self {
            JValue::Literal(value) => Ok(value.clone()),
            JValue::Object(fields) => {
                let mut map = Map::with_capacity(fields.len());
                for (key, value) in fields {
                    map.insert(
                        key.clone(),
                        value.evaluate(&format!("{field}/{key}"), scope, preamble)?,
                    );
                }
                Ok(Value::Object(map))
            }
            JValue::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| item.evaluate(&format!("{field}[{i}]"), scope, preamble))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            JValue::Expr { text, expr } => {
                match expr.evaluate(None, &scope.bindings) {
                    Ok(Some(value)) => Ok(value),
                    Ok(None) => Err(Failure::new(
                        names::QUERY_EVALUATION_ERROR,
                        format!(
                            "{preamble}The JSONata expression '{text}' specified for the field '{field}' returned nothing (undefined)."
                        ),
                    )),
                    Err(error) => Err(Failure::new(
                        names::QUERY_EVALUATION_ERROR,
                        format!(
                            "{preamble}The JSONata expression '{text}' specified for the field '{field}' threw an error during evaluation. {}: {}",
                            error.code, error.message
                        ),
                    )),
                }
            }
        }
    }
}

/// AWS's functions: `$random([seed])`, `$partition`, `$range`, `$parse`, `$hash`, `$uuid`.
fn add_functions(bindings: &mut Bindings, entropy: Entropy) {
    let shared = Arc::new(Mutex::new(entropy));
    let state = shared.clone();
    let random: NativeFunction = Arc::new(move |args: &[Value]| {
        let fraction = match args.first().and_then(Value::as_f64) {
            Some(seed) => Entropy::seeded(seed.to_bits()).fraction(),
            None => state.lock().unwrap_or_else(|e| e.into_inner()).fraction(),
        };
        Ok(json!(fraction))
    });
    bindings.function("random", Some("<n?:n>"), random);
    bindings.function("partition", Some("<an:a>"), Arc::new(partition));
    bindings.function("range", Some("<nnn:a>"), Arc::new(range));
    bindings.function("parse", Some("<s:x>"), Arc::new(parse));
    bindings.function("hash", Some("<xs:s>"), Arc::new(hash));
    bindings.function(
        "uuid",
        Some("<:s>"),
        Arc::new(move |_args: &[Value]| {
            let mut entropy = shared.lock().unwrap_or_else(|e| e.into_inner());
            Ok(json!(entropy.uuid()))
        }),
    );
}

fn aws_error(message: impl Into<String>) -> stepfn_jsonata::Error {
    stepfn_jsonata::Error::new("States.QueryEvaluationError", message)
}

/// `$partition(array, size)`: the array in chunks of `size`.
fn partition(args: &[Value]) -> Result<Value, stepfn_jsonata::Error> {
    let items = args
        .first()
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let size = args.get(1).and_then(Value::as_f64).unwrap_or(0.0);
    if size < 1.0 || size.fract() != 0.0 {
        return Err(aws_error(
            "$partition: the chunk size must be a positive integer",
        ));
    }
    Ok(Value::Array(
        items
            .chunks(size as usize)
            .map(|c| Value::Array(c.to_vec()))
            .collect(),
    ))
}

/// `$range(start, end, step)`: numbers from `start` up to `end` (inclusive) by `step`.
fn range(args: &[Value]) -> Result<Value, stepfn_jsonata::Error> {
    let number = |i: usize| args.get(i).and_then(Value::as_f64).unwrap_or(0.0);
    let (start, end, step) = (number(0), number(1), number(2));
    if step == 0.0 {
        return Err(aws_error("$range: the step must not be 0"));
    }
    let mut values = Vec::new();
    let mut at = start;
    while (step > 0.0 && at <= end) || (step < 0.0 && at >= end) {
        values.push(crate::intrinsics::number_value(at));
        if values.len() > 1000 {
            return Err(aws_error("$range: at most 1000 items"));
        }
        at += step;
    }
    Ok(Value::Array(values))
}

/// `$parse(text)`: the JSON value a string holds.
fn parse(args: &[Value]) -> Result<Value, stepfn_jsonata::Error> {
    let text = args.first().and_then(Value::as_str).unwrap_or_default();
    stepfn_asl::json_text::from_str(text).map_err(|e| aws_error(format!("$parse: not JSON: {e}")))
}

/// `$hash(value, algorithm)`: as `States.Hash`.
fn hash(args: &[Value]) -> Result<Value, stepfn_jsonata::Error> {
    let data = args.first().cloned().unwrap_or(Value::Null);
    let algorithm = args.get(1).and_then(Value::as_str).unwrap_or_default();
    crate::intrinsics::hash_value(&data, algorithm)
        .map(Value::String)
        .map_err(aws_error)
}
