//! Choice rules (JSONPath workflows): compiled once from the definition, then evaluated per execution.
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
use stepfn_asl::path::Path;
use stepfn_asl::timestamp;

/// A compiled Choice rule (one entry of `Choices`, without its `Next`, or a nested rule).
#[derive(Debug, Clone)]
pub struct Rule(Node);

#[derive(Debug, Clone)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// `IsPresent`: the only test that accepts a variable selecting nothing.
    IsPresent {
        variable: Reference,
        expected: bool,
    },
    Test {
        variable: Reference,
        test: Test,
    },
}

/// A path with the text it was written as (for the cause of a failure).
#[derive(Debug, Clone)]
struct Reference {
    path: Path,
    text: String,
}

#[derive(Debug, Clone)]
enum Test {
    /// `IsNull`, `IsNumeric`, ...: whether the value has the type, compared with the operand.
    Is(Type, bool),
    /// `StringEquals`, `NumericLessThanPath`, ...
    Compare(Type, Op, Operand),
    /// `StringMatches`: literal parts between `*` wildcards.
    Matches(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    String,
    Numeric,
    Boolean,
    Timestamp,
    Null,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

#[derive(Debug, Clone)]
enum Operand {
    Literal(Value),
    Path(Reference),
}

/// Compiles one rule from the definition.
pub fn compile(rule: &Value) -> Result<Rule, String> {
    node(rule).map(Rule)
}

fn node(rule: &Value) -> Result<Node, String> {
    let object = rule.as_object().ok_or("a choice rule must be an object")?;
    let mut keys = object
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "Next" | "Assign" | "Comment" | "Variable"));
    let (key, value) = keys
        .next()
        .ok_or("a choice rule needs a comparison or And/Or/Not")?;
    if let Some((other, _)) = keys.next() {
        return Err(format!(
            "a choice rule has one comparison, not `{key}` and `{other}`"
        ));
    }
    let rules = |value: &Value| -> Result<Vec<Node>, String> {
        match value.as_array() {
            Some(rules) if !rules.is_empty() => rules.iter().map(node).collect(),
            _ => Err(format!("`{key}` must be a non-empty array of rules")),
        }
    };
    match key.as_str() {
        "And" => return Ok(Node::And(rules(value)?)),
        "Or" => return Ok(Node::Or(rules(value)?)),
        "Not" => return Ok(Node::Not(Box::new(node(value)?))),
        _ => {}
    }
    let variable = match object.get("Variable") {
        Some(Value::String(text)) => reference(text)?,
        _ => return Err(format!("`{key}` needs a `Variable` path")),
    };
    if key == "IsPresent" {
        let expected = value.as_bool().ok_or("`IsPresent` takes true or false")?;
        return Ok(Node::IsPresent { variable, expected });
    }
    Ok(Node::Test {
        variable,
        test: test(key, value)?,
    })
}

fn reference(text: &str) -> Result<Reference, String> {
    Ok(Reference {
        path: Path::parse(text).map_err(|e| e.message)?,
        text: text.to_owned(),
    })
}

fn test(operator: &str, value: &Value) -> Result<Test, String> {
    let flag = || {
        value
            .as_bool()
            .ok_or_else(|| format!("`{operator}` takes true or false"))
    };
    if let Some(kind) = operator.strip_prefix("Is") {
        let kind = match kind {
            "Null" => Type::Null,
            "Numeric" => Type::Numeric,
            "String" => Type::String,
            "Boolean" => Type::Boolean,
            "Timestamp" => Type::Timestamp,
            _ => return Err(format!("unknown operator `{operator}`")),
        };
        return Ok(Test::Is(kind, flag()?));
    }
    if operator == "StringMatches" {
        let pattern = value.as_str().ok_or("`StringMatches` takes a string")?;
        return Ok(Test::Matches(wildcard_parts(pattern)));
    }
    let (kind, rest) = [
        ("String", Type::String),
        ("Numeric", Type::Numeric),
        ("Boolean", Type::Boolean),
        ("Timestamp", Type::Timestamp),
    ]
    .into_iter()
    .find_map(|(prefix, kind)| operator.strip_prefix(prefix).map(|rest| (kind, rest)))
    .ok_or_else(|| format!("unknown operator `{operator}`"))?;
    let (rest, by_path) = match rest.strip_suffix("Path") {
        Some(rest) => (rest, true),
        None => (rest, false),
    };
    let op = match rest {
        "Equals" => Op::Equals,
        "LessThan" if kind != Type::Boolean => Op::LessThan,
        "GreaterThan" if kind != Type::Boolean => Op::GreaterThan,
        "LessThanEquals" if kind != Type::Boolean => Op::LessThanEquals,
        "GreaterThanEquals" if kind != Type::Boolean => Op::GreaterThanEquals,
        _ => return Err(format!("unknown operator `{operator}`")),
    };
    let operand = match value {
        Value::String(text) if by_path => Operand::Path(reference(text)?),
        _ if by_path => return Err(format!("`{operator}` takes a path string")),
        _ if has_type(kind, value) => Operand::Literal(value.clone()),
        _ => return Err(format!("`{operator}` takes a {} value", name(kind))),
    };
    Ok(Test::Compare(kind, op, operand))
}

fn name(kind: Type) -> &'static str {
    match kind {
        Type::String => "string",
        Type::Numeric => "number",
        Type::Boolean => "boolean",
        Type::Timestamp => "timestamp",
        Type::Null => "null",
    }
}

/// Splits a `StringMatches` pattern at its unescaped `*`s; `\*` is a literal `*`, `\\` a literal `\` (a
/// backslash before any other character takes that character literally).
fn wildcard_parts(pattern: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => part.push(chars.next().unwrap_or('\\')),
            '*' => parts.push(std::mem::take(&mut part)),
            c => part.push(c),
        }
    }
    parts.push(part);
    parts
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
        self.0.evaluate(resolve)
    }
}

impl Node {
    fn evaluate(&self, resolve: &mut dyn FnMut(&Path) -> Option<Value>) -> Result<bool, Failure> {
        match self {
            Node::And(rules) => {
                for rule in rules {
                    if !rule.evaluate(resolve)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Node::Or(rules) => {
                for rule in rules {
                    if rule.evaluate(resolve)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Node::Not(rule) => Ok(!rule.evaluate(resolve)?),
            Node::IsPresent { variable, expected } => {
                Ok(resolve(&variable.path).is_some() == *expected)
            }
            Node::Test { variable, test } => {
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
                        compare(*kind, &value, &other).is_some_and(|order| op.holds(order))
                    }
                })
            }
        }
    }
}

/// AWS's failure when a rule's path selects nothing.
fn invalid_path(reference: &Reference) -> Failure {
    Failure::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        reference.text
    ))
}

impl Op {
    fn holds(self, order: Ordering) -> bool {
        match self {
            Op::Equals => order.is_eq(),
            Op::LessThan => order.is_lt(),
            Op::GreaterThan => order.is_gt(),
            Op::LessThanEquals => order.is_le(),
            Op::GreaterThanEquals => order.is_ge(),
        }
    }
}

fn has_type(kind: Type, value: &Value) -> bool {
    match kind {
        Type::String => value.is_string(),
        Type::Numeric => value.is_number(),
        Type::Boolean => value.is_boolean(),
        Type::Null => value.is_null(),
        Type::Timestamp => value.as_str().is_some_and(timestamp::is_valid),
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
