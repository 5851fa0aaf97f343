//! Choice rules of JSONPath states, read once into a tree: `And`/`Or`/`Not`, `IsPresent`, the `Is*` type tests,
//! `StringMatches` with its wildcards split, and the comparisons by type, operator and operand (a literal of the
//! right type or a reference path). The validator has checked a rule before the model reads it with
//! [`ChoiceRule::parse`]; the executor evaluates the tree (`stepfn_engine::choice`). Nesting is bounded by
//! [`MAX_RULE_DEPTH`].

use crate::path::{Path, PathText};
use crate::timestamp;
use serde_json::Value;

/// The deepest nesting of `And`/`Or`/`Not` a rule may have.
pub const MAX_RULE_DEPTH: usize = 64;

/// A Choice rule of a JSONPath state (one entry of `Choices` without its `Next`, or a nested rule).
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceRule {
    And(Vec<ChoiceRule>),
    Or(Vec<ChoiceRule>),
    Not(Box<ChoiceRule>),
    /// `IsPresent`: the only test that accepts a variable selecting nothing.
    IsPresent {
        variable: PathText,
        expected: bool,
    },
    Test {
        variable: PathText,
        test: Test,
    },
}

/// What a rule asks of its `Variable`.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `IsNull`, `IsNumeric`, ...: whether the value has the type, compared with the operand.
    Is(Type, bool),
    /// `StringEquals`, `NumericLessThanPath`, ...
    Compare(Type, Op, Operand),
    /// `StringMatches`: literal parts between `*` wildcards.
    Matches(Vec<String>),
}

/// The type a comparison is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Numeric,
    Boolean,
    Timestamp,
    Null,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

/// A comparison's right-hand side: a literal or a `...Path` operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Literal(Value),
    Path(PathText),
}

impl ChoiceRule {
    /// Reads one rule (an entry of `Choices` without its `Next`, or a nested rule) from its JSON.
    pub fn parse(rule: &Value) -> Result<ChoiceRule, String> {
        node(rule, 0)
    }
}

fn node(rule: &Value, depth: usize) -> Result<ChoiceRule, String> {
    if depth > MAX_RULE_DEPTH {
        return Err(format!(
            "choice rules nest deeper than {MAX_RULE_DEPTH} levels"
        ));
    }
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
    let rules = |value: &Value| -> Result<Vec<ChoiceRule>, String> {
        match value.as_array() {
            Some(rules) if !rules.is_empty() => rules.iter().map(|r| node(r, depth + 1)).collect(),
            _ => Err(format!("`{key}` must be a non-empty array of rules")),
        }
    };
    match key.as_str() {
        "And" => return Ok(ChoiceRule::And(rules(value)?)),
        "Or" => return Ok(ChoiceRule::Or(rules(value)?)),
        "Not" => return Ok(ChoiceRule::Not(Box::new(node(value, depth + 1)?))),
        _ => {}
    }
    let variable = match object.get("Variable") {
        Some(Value::String(text)) => reference(text)?,
        _ => return Err(format!("`{key}` needs a `Variable` path")),
    };
    if key == "IsPresent" {
        let expected = value.as_bool().ok_or("`IsPresent` takes true or false")?;
        return Ok(ChoiceRule::IsPresent { variable, expected });
    }
    Ok(ChoiceRule::Test {
        variable,
        test: test(key, value)?,
    })
}

fn reference(text: &str) -> Result<PathText, String> {
    Ok(PathText {
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

/// Whether `value` has the JSON type a type test asks for (timestamps: a string AWS reads as one).
pub fn has_type(kind: Type, value: &Value) -> bool {
    match kind {
        Type::String => value.is_string(),
        Type::Numeric => value.is_number(),
        Type::Boolean => value.is_boolean(),
        Type::Null => value.is_null(),
        Type::Timestamp => value.as_str().is_some_and(timestamp::is_valid),
    }
}
