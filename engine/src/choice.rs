//! Choice rules (JSONPath workflows): the trees of `stepfn_asl::choice_rule`, evaluated per execution.
//!
//! Semantics follow AWS Step Functions (checked against executions recorded on AWS):
//! - a comparison whose `Variable` holds a value of another type is simply false (`StringEquals` on a number,
//!   `NumericEquals` on `"1"`, `BooleanEquals` on `0`, `Timestamp...` on a string that is not a timestamp); the
//!   same holds when a `...Path` operand selects a value of the wrong type;
//! - a `Variable` (or `...Path` operand) that selects nothing fails the execution with `States.Runtime`, except
//!   under `IsPresent`;
//! - `Is*` tests look at the JSON type only (`IsNumeric` on `"1"` is false, `IsNull` only on `null`), and `false`
//!   negates them;
//! - numbers compare exactly (integers as integers, integer against float by value);
//! - strings compare by UTF-16 code units (Java's `String.compareTo`, which AWS uses);
//! - `And` and `Or` stop at the first rule that decides them, so an `IsPresent` guard protects later rules.

use crate::Failure;
use serde_json::{Number, Value};
use std::cmp::Ordering;
use stepfn_asl::choice_rule::{has_type, ChoiceRule, Op, Operand, Test, Type};
use stepfn_asl::path::{Path, PathText};
use stepfn_asl::timestamp;

/// A Choice rule ready to evaluate (one entry of `Choices`, without its `Next`, or a nested rule).
#[derive(Debug, Clone)]
pub struct Rule(ChoiceRule);

/// Reads one rule from its JSON (the typed model does this for a whole definition).
pub fn compile(rule: &Value) -> Result<Rule, String> {
    ChoiceRule::parse(rule).map(Rule)
}

/// Whether `text` matches the parts of a pattern (literal parts with `*` between them).
fn wildcard_match(parts: &[String], text: &str) -> bool {
    let (first, rest) = match parts.split_first() {
        Some(split) => split,
        None => return text.is_empty(),
    };
    let Some((last, middle)) = rest.split_last() else {
        return text == first;
    };
    let Some(mut text) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    for part in middle {
        match text.find(part.as_str()) {
            Some(at) => text = &text[at + part.len()..],
            None => return false,
        }
    }
    text.ends_with(last.as_str())
}

impl Rule {
    /// Whether the rule matches; `resolve` returns the value a path selects, `None` when it selects nothing.
    pub fn evaluate(
        &self,
        resolve: &mut dyn FnMut(&Path) -> Option<Value>,
    ) -> Result<bool, Failure> {
        evaluate(&self.0, resolve)
    }
}

/// Whether `rule` matches; `resolve` returns the value a path selects, `None` when it selects nothing.
pub(crate) fn evaluate(
    rule: &ChoiceRule,
    resolve: &mut dyn FnMut(&Path) -> Option<Value>,
) -> Result<bool, Failure> {
    {
        match rule {
            ChoiceRule::And(rules) => {
                for rule in rules {
                    if !evaluate(rule, resolve)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            ChoiceRule::Or(rules) => {
                for rule in rules {
                    if evaluate(rule, resolve)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            ChoiceRule::Not(rule) => Ok(!evaluate(rule, resolve)?),
            ChoiceRule::IsPresent { variable, expected } => {
                Ok(resolve(&variable.path).is_some() == *expected)
            }
            ChoiceRule::Test { variable, test } => {
                let value = resolve(&variable.path).ok_or_else(|| invalid_path(variable))?;
                Ok(match test {
                    Test::Is(kind, expected) => has_type(*kind, &value) == *expected,
                    Test::Matches(parts) => {
                        value.as_str().is_some_and(|s| wildcard_match(parts, s))
                    }
                    Test::Compare(kind, op, operand) => {
                        let other = match operand {
                            Operand::Literal(literal) => literal.clone(),
                            Operand::Path(path) => {
                                resolve(&path.path).ok_or_else(|| invalid_path(path))?
                            }
                        };
                        compare(*kind, &value, &other).is_some_and(|order| holds(*op, order))
                    }
                })
            }
        }
    }
}

/// AWS's failure when a rule's path selects nothing.
fn invalid_path(reference: &PathText) -> Failure {
    Failure::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        reference.text
    ))
}

fn holds(op: Op, order: Ordering) -> bool {
    match op {
        Op::Equals => order.is_eq(),
        Op::LessThan => order.is_lt(),
        Op::GreaterThan => order.is_gt(),
        Op::LessThanEquals => order.is_le(),
        Op::GreaterThanEquals => order.is_ge(),
    }
}

/// How `left` orders against `right` as values of `kind`; `None` when either is not of that kind.
fn compare(kind: Type, left: &Value, right: &Value) -> Option<Ordering> {
    match (kind, left, right) {
        (Type::String, Value::String(a), Value::String(b)) => {
            Some(a.encode_utf16().cmp(b.encode_utf16()))
        }
        (Type::Numeric, Value::Number(a), Value::Number(b)) => compare_numbers(a, b),
        (Type::Boolean, Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Type::Timestamp, Value::String(a), Value::String(b)) => {
            Some(timestamp::parse(a)?.cmp(&timestamp::parse(b)?))
        }
        _ => None,
    }
}

/// Exact comparison: integers as integers, an integer against a float by mathematical value.
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    match (integer(a), integer(b)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        (Some(a), None) => compare_integer_float(a, b.as_f64()?),
        (None, Some(b)) => compare_integer_float(b, a.as_f64()?).map(Ordering::reverse),
        (None, None) => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

fn integer(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

fn compare_integer_float(i: i128, f: f64) -> Option<Ordering> {
    // 2^127: beyond every i128, and exactly representable as an f64.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if f.is_nan() {
        return None;
    }
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    // `whole` is an integer within i128's range, so the cast is exact.
    Some(i.cmp(&(whole as i128)).then(0.0.partial_cmp(&(f - whole))?))
}
