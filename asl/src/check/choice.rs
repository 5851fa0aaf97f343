//! Choice states: rules with exactly one comparison (or `And`/`Or`/`Not`), operator value types, `Next` on
//! top-level rules only, and `Default`.

use super::fields::{escape, QueryLanguage};
use super::scope::Edges;
use super::states::is_jsonata;
use super::Checker;
use crate::path::Path;
use crate::problem::Rule;
use serde_json::{Map, Value};

/// The kind of value a comparison operator takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Operand {
    String,
    Number,
    Timestamp,
    Bool,
    Path,
}

/// All 39 comparison operators and what each compares with.
const OPERATORS: &[(&str, Operand)] = &[
    ("StringEquals", Operand::String),
    ("StringLessThan", Operand::String),
    ("StringGreaterThan", Operand::String),
    ("StringLessThanEquals", Operand::String),
    ("StringGreaterThanEquals", Operand::String),
    ("StringMatches", Operand::String),
    ("StringEqualsPath", Operand::Path),
    ("StringLessThanPath", Operand::Path),
    ("StringGreaterThanPath", Operand::Path),
    ("StringLessThanEqualsPath", Operand::Path),
    ("StringGreaterThanEqualsPath", Operand::Path),
    ("NumericEquals", Operand::Number),
    ("NumericLessThan", Operand::Number),
    ("NumericGreaterThan", Operand::Number),
    ("NumericLessThanEquals", Operand::Number),
    ("NumericGreaterThanEquals", Operand::Number),
    ("NumericEqualsPath", Operand::Path),
    ("NumericLessThanPath", Operand::Path),
    ("NumericGreaterThanPath", Operand::Path),
    ("NumericLessThanEqualsPath", Operand::Path),
    ("NumericGreaterThanEqualsPath", Operand::Path),
    ("TimestampEquals", Operand::Timestamp),
    ("TimestampLessThan", Operand::Timestamp),
    ("TimestampGreaterThan", Operand::Timestamp),
    ("TimestampLessThanEquals", Operand::Timestamp),
    ("TimestampGreaterThanEquals", Operand::Timestamp),
    ("TimestampEqualsPath", Operand::Path),
    ("TimestampLessThanPath", Operand::Path),
    ("TimestampGreaterThanPath", Operand::Path),
    ("TimestampLessThanEqualsPath", Operand::Path),
    ("TimestampGreaterThanEqualsPath", Operand::Path),
    ("BooleanEquals", Operand::Bool),
    ("BooleanEqualsPath", Operand::Path),
    ("IsNull", Operand::Bool),
    ("IsPresent", Operand::Bool),
    ("IsNumeric", Operand::Bool),
    ("IsString", Operand::Bool),
    ("IsBoolean", Operand::Bool),
    ("IsTimestamp", Operand::Bool),
];

/// The names of the comparison operators, for other modules and messages.
pub fn operator_names() -> impl Iterator<Item = &'static str> {
    OPERATORS.iter().map(|(name, _)| *name)
}

impl Checker {
    pub(crate) fn choice(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        language: QueryLanguage,
        edges: &mut Edges,
    ) {
        edges.terminal = false;
        match object.get("Choices") {
            Some(Value::Array(rules)) if !rules.is_empty() => {
                for (i, rule) in rules.iter().enumerate() {
                    let rule_at = format!("{at}/Choices/{i}");
                    match rule.as_object() {
                        Some(rule) => self.top_rule(&rule_at, rule, language, edges),
                        None => self.report(
                            Rule::FieldType,
                            rule_at,
                            "a choice rule must be an object".into(),
                        ),
                    }
                }
            }
            Some(_) => self.report(
                Rule::FieldValue,
                format!("{at}/Choices"),
                "`Choices` must be a non-empty array of rules".into(),
            ),
            None => self.report(
                Rule::MissingField,
                at.to_owned(),
                "a Choice state needs `Choices`".into(),
            ),
        }
        if let Some(default) = self.string(at, object, "Default") {
            edges
                .targets
                .push((format!("{at}/Default"), default.to_owned()));
        }
        if edges.targets.is_empty() {
            edges.terminal = true;
        }
        for key in ["Next", "End"] {
            if object.contains_key(key) {
                self.report(
                    Rule::UnknownField,
                    format!("{at}/{key}"),
                    format!("a Choice state has no `{key}`: each rule names its `Next`, and `Default` the state when none matches"),
                );
            }
        }
    }

    fn top_rule(
        &mut self,
        at: &str,
        rule: &Map<String, Value>,
        language: QueryLanguage,
        edges: &mut Edges,
    ) {
        if let Some(next) = self.required_string(at, rule, "Next", "a top-level choice rule") {
            edges.targets.push((format!("{at}/Next"), next.to_owned()));
        }
        if let Some(assign) = rule.get("Assign") {
            self.assign(&format!("{at}/Assign"), assign, language);
        }
        match language {
            QueryLanguage::Jsonata => {
                let known = ["Condition", "Next", "Assign", "Output", "Comment"];
                let other = ["Variable", "And", "Or", "Not"];
                self.unknown_fields(at, rule, "a JSONata choice rule", &known, &other, language);
                match rule.get("Condition") {
                    Some(condition @ Value::String(s)) if is_jsonata(s) => {
                        self.jsonata_value(&format!("{at}/Condition"), condition);
                    }
                    Some(Value::Bool(_)) => {}
                    Some(_) => self.report(
                        Rule::Jsonata,
                        format!("{at}/Condition"),
                        "`Condition` must be a JSONata expression `{% ... %}` or a boolean".into(),
                    ),
                    None => self.report(
                        Rule::MissingField,
                        at.to_owned(),
                        "a JSONata choice rule needs `Condition`".into(),
                    ),
                }
                if let Some(output) = rule.get("Output") {
                    self.jsonata_value(&format!("{at}/Output"), output);
                }
            }
            QueryLanguage::JsonPath => self.rule(at, rule, 0),
        }
    }

    /// A JSONPath rule: `Variable` with one operator, or one of `And`, `Or`, `Not`.
    /// `depth` counts the `And`/`Or`/`Not` around the rule (0: a top-level rule).
    fn rule(&mut self, at: &str, rule: &Map<String, Value>, depth: usize) {
        let top = depth == 0;
        if depth > crate::choice_rule::MAX_RULE_DEPTH {
            let limit = crate::choice_rule::MAX_RULE_DEPTH;
            let message = format!("choice rules nest deeper than {limit} levels");
            return self.report(Rule::ChoiceRule, at.to_owned(), message);
        }
        let mut operators = Vec::new();
        // A misspelt operator is reported as such; "no comparison" would then say the same thing twice.
        let mut misspelt_operator = false;
        for (key, value) in rule {
            let key_at = format!("{at}/{}", escape(key));
            match key.as_str() {
                "Variable" | "Comment" => {}
                "Next" | "Assign" if top => {}
                "Next" | "Assign" => self.report(
                    Rule::UnknownField,
                    key_at,
                    format!("`{key}` belongs on a top-level choice rule, not inside `And`, `Or` or `Not`"),
                ),
                "And" | "Or" => {
                    operators.push(key.as_str());
                    match value.as_array() {
                        Some(rules) if !rules.is_empty() => {
                            for (i, nested) in rules.iter().enumerate() {
                                match nested.as_object() {
                                    Some(nested) => self.rule(&format!("{key_at}/{i}"), nested, depth + 1),
                                    None => self.report(Rule::FieldType, format!("{key_at}/{i}"), "a choice rule must be an object".into()),
                                }
                            }
                        }
                        _ => self.report(Rule::FieldValue, key_at, format!("`{key}` must be a non-empty array of rules")),
                    }
                }
                "Not" => {
                    operators.push("Not");
                    match value.as_object() {
                        Some(nested) => self.rule(&key_at, nested, depth + 1),
                        None => self.report(Rule::FieldType, key_at, "`Not` must be one rule (an object)".into()),
                    }
                }
                other => match OPERATORS.iter().find(|(name, _)| *name == other) {
                    Some((name, operand)) => {
                        operators.push(name);
                        self.operand(&key_at, name, *operand, value);
                    }
                    None => {
                        misspelt_operator |= crate::closest(other, operator_names()).is_some();
                        let hint = crate::closest(other, operator_names().chain(["And", "Or", "Not", "Variable", "Next"]))
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                        self.report(Rule::UnknownField, key_at, format!("unknown field `{other}` in a choice rule{hint}"));
                    }
                },
            }
        }
        let boolean = operators.iter().any(|o| ["And", "Or", "Not"].contains(o));
        match operators.len() {
            0 if misspelt_operator => {}
            0 => self.report(
                Rule::ChoiceRule,
                at.to_owned(),
                "a choice rule needs one comparison (such as `StringEquals` with `Variable`) or one of `And`, `Or`, `Not`".into(),
            ),
            1 => {}
            _ => self.report(Rule::ChoiceRule, at.to_owned(), format!("a choice rule has one comparison, not {}: split it with `And`/`Or`", operators.join(", "))),
        }
        match (rule.get("Variable"), boolean) {
            (Some(_), true) => self.report(
                Rule::ChoiceRule,
                format!("{at}/Variable"),
                "`And`, `Or` and `Not` take no `Variable`: put it in the nested rules".into(),
            ),
            (None, false) if !operators.is_empty() => self.report(
                Rule::MissingField,
                at.to_owned(),
                "a comparison needs `Variable`, the path of the value to compare".into(),
            ),
            (Some(Value::String(variable)), false) => {
                if let Err(error) = Path::parse(variable) {
                    self.report(Rule::Path, format!("{at}/Variable"), error.message);
                }
            }
            (Some(_), false) => self.report(
                Rule::FieldType,
                format!("{at}/Variable"),
                "`Variable` must be a path string".into(),
            ),
            _ => {}
        }
    }

    fn operand(&mut self, at: &str, operator: &str, operand: Operand, value: &Value) {
        let problem = match (operand, value) {
            (Operand::String, Value::String(_))
            | (Operand::Number, Value::Number(_))
            | (Operand::Bool, Value::Bool(_)) => None,
            (Operand::Timestamp, Value::String(s)) if crate::timestamp::is_valid(s) => None,
            (Operand::Timestamp, Value::String(s)) => Some(format!(
                "`{s}` is not an RFC 3339 timestamp such as `2026-01-31T09:00:00Z`"
            )),
            (Operand::Path, Value::String(s)) => Path::parse(s).err().map(|e| e.message),
            (Operand::String, _) => Some(format!("`{operator}` compares with a string")),
            (Operand::Number, _) => Some(format!("`{operator}` compares with a number")),
            (Operand::Timestamp, _) => {
                Some(format!("`{operator}` compares with a timestamp string"))
            }
            (Operand::Bool, _) => Some(format!("`{operator}` takes `true` or `false`")),
            (Operand::Path, _) => Some(format!("`{operator}` takes a path string")),
        };
        if let Some(message) = problem {
            self.report(Rule::FieldValue, at.to_owned(), message);
        }
    }
}
