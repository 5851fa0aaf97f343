//! Intrinsic functions (`States.Format('{} items', $.count)`): parsed into a call tree, so validation can check
//! each function's name, arity, literal argument types and nesting depth, and the executor can evaluate it.
//! AWS's rules are specific (18 functions, `\'`-style escapes, 10 levels of nesting), so they are written here.

use crate::path::Path;
use std::fmt;

/// The deepest nesting of calls AWS accepts.
pub const MAX_NESTING: usize = 10;

/// An argument or a whole intrinsic expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Call { function: Function, args: Vec<Expr> },
    String(String),
    Number(serde_json::Number),
    Bool(bool),
    Null,
    Path(Path),
}

/// The kinds of value a literal argument may have to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Any,
    String,
    Integer,
    Number,
    Array,
    Object,
    False,
}

/// The 18 intrinsic functions of the States Language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

/// Each function: its name, parameter kinds, and whether the last kind repeats.
const FUNCTIONS: &[(Function, &str, &[Kind], bool)] = &[
    (
        Function::Format,
        "States.Format",
        &[Kind::String, Kind::Any],
        true,
    ),
    (
        Function::StringToJson,
        "States.StringToJson",
        &[Kind::String],
        false,
    ),
    (
        Function::JsonToString,
        "States.JsonToString",
        &[Kind::Any],
        false,
    ),
    (Function::Array, "States.Array", &[Kind::Any], true),
    (
        Function::ArrayPartition,
        "States.ArrayPartition",
        &[Kind::Array, Kind::Integer],
        false,
    ),
    (
        Function::ArrayContains,
        "States.ArrayContains",
        &[Kind::Array, Kind::Any],
        false,
    ),
    (
        Function::ArrayRange,
        "States.ArrayRange",
        &[Kind::Integer, Kind::Integer, Kind::Integer],
        false,
    ),
    (
        Function::ArrayGetItem,
        "States.ArrayGetItem",
        &[Kind::Array, Kind::Integer],
        false,
    ),
    (
        Function::ArrayLength,
        "States.ArrayLength",
        &[Kind::Array],
        false,
    ),
    (
        Function::ArrayUnique,
        "States.ArrayUnique",
        &[Kind::Array],
        false,
    ),
    (
        Function::Base64Encode,
        "States.Base64Encode",
        &[Kind::String],
        false,
    ),
    (
        Function::Base64Decode,
        "States.Base64Decode",
        &[Kind::String],
        false,
    ),
    (
        Function::Hash,
        "States.Hash",
        &[Kind::Any, Kind::String],
        false,
    ),
    (
        Function::JsonMerge,
        "States.JsonMerge",
        &[Kind::Object, Kind::Object, Kind::False],
        false,
    ),
    (
        Function::MathRandom,
        "States.MathRandom",
        &[Kind::Integer, Kind::Integer, Kind::Integer],
        false,
    ),
    (
        Function::MathAdd,
        "States.MathAdd",
        &[Kind::Number, Kind::Number],
        false,
    ),
    (
        Function::StringSplit,
        "States.StringSplit",
        &[Kind::String, Kind::String],
        false,
    ),
    (Function::Uuid, "States.UUID", &[], false),
];

impl Function {
    /// The function AWS calls `name` (`States.Format`), if there is one.
    pub fn from_name(name: &str) -> Option<Function> {
        FUNCTIONS
            .iter()
            .find(|(_, known, ..)| *known == name)
            .map(|(function, ..)| *function)
    }

    /// The name AWS gives it: `States.Format`.
    pub fn name(self) -> &'static str {
        self.signature().0
    }

    fn signature(self) -> (&'static str, &'static [Kind], bool) {
        FUNCTIONS
            .iter()
            .find(|(function, ..)| *function == self)
            .map_or(("", &[], false), |(_, name, kinds, repeats)| {
                (*name, *kinds, *repeats)
            })
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The algorithms `States.Hash` accepts.
pub const HASH_ALGORITHMS: &[&str] = &["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// Why a string is not a valid intrinsic function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntrinsicError {
    pub message: String,
}

impl fmt::Display for IntrinsicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Whether `text` is meant as an intrinsic call (it starts with `States.`).
pub fn looks_like_call(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Parses and checks an intrinsic function call.
pub fn parse(text: &str) -> Result<Expr, IntrinsicError> {
    let mut parser = Parser {
        text,
        chars: text.chars().collect(),
        at: 0,
    };
    parser.skip_spaces();
    let expr = parser.call(1)?;
    parser.skip_spaces();
    if parser.at != parser.chars.len() {
        return Err(parser.error("unexpected text after the call's closing `)`"));
    }
    check(&expr)?;
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<char>,
    at: usize,
}

impl Parser<'_> {
    fn error(&self, what: impl fmt::Display) -> IntrinsicError {
        IntrinsicError {
            message: format!(
                "`{}` is not a valid intrinsic function call: {what}",
                self.text
            ),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn call(&mut self, depth: usize) -> Result<Expr, IntrinsicError> {
        if depth > MAX_NESTING {
            return Err(self.error(format!(
                "calls nest deeper than AWS's limit of {MAX_NESTING}"
            )));
        }
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '.') {
            self.at += 1;
        }
        let name: String = self.chars[start..self.at].iter().collect();
        let Some(function) = Function::from_name(&name) else {
            let names = FUNCTIONS.iter().map(|(_, n, ..)| *n);
            let hint = crate::closest(&name, names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(self.error(format!("unknown function `{name}`{hint}")));
        };
        self.skip_spaces();
        if self.peek() != Some('(') {
            return Err(self.error(format!("`{name}` must be followed by `(`")));
        }
        self.at += 1;
        let mut args = Vec::new();
        self.skip_spaces();
        if self.peek() == Some(')') {
            self.at += 1;
            return Ok(Expr::Call { function, args });
        }
        loop {
            self.skip_spaces();
            args.push(self.argument(depth)?);
            self.skip_spaces();
            match self.peek() {
                Some(',') => self.at += 1,
                Some(')') => {
                    self.at += 1;
                    return Ok(Expr::Call { function, args });
                }
                Some(c) => return Err(self.error(format!("unexpected `{c}`; expected `,` or `)`"))),
                None => return Err(self.error(format!("`{name}(` is not closed"))),
            }
        }
    }

    fn argument(&mut self, depth: usize) -> Result<Expr, IntrinsicError> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => {
                let start = self.at;
                let mut depth_brackets = 0;
                let mut quote = false;
                while let Some(c) = self.peek() {
                    match c {
                        '\'' => quote = !quote,
                        '[' | '(' if !quote => depth_brackets += 1,
                        ']' if !quote => depth_brackets -= 1,
                        ')' if !quote && depth_brackets == 0 => break,
                        ')' if !quote => depth_brackets -= 1,
                        ',' if !quote && depth_brackets == 0 => break,
                        _ => {}
                    }
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().collect();
                Path::parse(text.trim_end()).map(Expr::Path).map_err(|e| self.error(e))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.at;
                while self.peek().is_some_and(|c| c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c.is_ascii_digit()) {
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().collect();
                serde_json::from_str::<serde_json::Number>(&text)
                    .map(Expr::Number)
                    .map_err(|_| self.error(format!("`{text}` is not a number")))
            }
            Some(c) if c.is_alphabetic() => {
                let start = self.at;
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '.') {
                    self.at += 1;
                }
                let word: String = self.chars[start..self.at].iter().collect();
                match word.as_str() {
                    "true" => Ok(Expr::Bool(true)),
                    "false" => Ok(Expr::Bool(false)),
                    "null" => Ok(Expr::Null),
                    _ => {
                        self.at = start;
                        self.call(depth + 1)
                    }
                }
            }
            Some(c) => Err(self.error(format!("unexpected `{c}`; an argument is a 'string', number, true, false, null, a path or a call"))),
            None => Err(self.error("the call ends where an argument belongs")),
        }
    }

    /// `'text'` with `\'`, `\{`, `\}` and `\\` escapes.
    fn string(&mut self) -> Result<Expr, IntrinsicError> {
        self.at += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("a string argument is not closed with `'`")),
                Some('\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(c @ ('\'' | '{' | '}' | '\\')) => {
                            // `\{` and `\}` stay escaped so States.Format can tell them from placeholders.
                            if c == '{' || c == '}' {
                                text.push('\\');
                            }
                            text.push(c);
                            self.at += 1;
                        }
                        Some(c) => {
                            return Err(self.error(format!(
                                "`\\{c}` is not an escape; escape only ' {{ }} and \\"
                            )))
                        }
                        None => return Err(self.error("the string ends with `\\`")),
                    }
                }
                Some('\'') => {
                    self.at += 1;
                    return Ok(Expr::String(text));
                }
                Some(c) => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
    }
}

/// Arity and literal types, for the call and every nested call.
fn check(expr: &Expr) -> Result<(), IntrinsicError> {
    let Expr::Call { function, args } = expr else {
        return Ok(());
    };
    let (name, kinds, repeats) = function.signature();
    let fail = |message: String| {
        Err(IntrinsicError {
            message: format!("{name}: {message}"),
        })
    };
    let (min, max) = match (function, repeats) {
        (Function::MathRandom, _) => (2, 3),
        (Function::Array, _) => (0, usize::MAX),
        (_, true) => (1, usize::MAX),
        _ => (kinds.len(), kinds.len()),
    };
    if args.len() < min || args.len() > max {
        let expected = match (min, max) {
            (min, usize::MAX) => format!("at least {min}"),
            (min, max) if min == max => format!("{min}"),
            (min, max) => format!("{min} or {max}"),
        };
        return fail(format!("takes {expected} argument(s), not {}", args.len()));
    }
    for (i, arg) in args.iter().enumerate() {
        let kind = kinds.get(i).or(kinds.last()).copied().unwrap_or(Kind::Any);
        if let Some(problem) = literal_mismatch(kind, arg) {
            return fail(format!("argument {} {problem}", i + 1));
        }
        check(arg)?;
    }
    match (function, args.as_slice()) {
        (Function::Format, [Expr::String(template), rest @ ..]) => {
            let placeholders = count_placeholders(template);
            if placeholders != rest.len() {
                return fail(format!(
                    "the template has {placeholders} `{{}}` placeholder(s) but {} value(s) follow it",
                    rest.len()
                ));
            }
        }
        (Function::Hash, [_, Expr::String(algorithm)])
            if !HASH_ALGORITHMS.contains(&algorithm.as_str()) =>
        {
            return fail(format!(
                "`{algorithm}` is not an algorithm; use one of {}",
                HASH_ALGORITHMS.join(", ")
            ));
        }
        (Function::ArrayRange, [_, _, Expr::Number(step)]) if step.as_f64() == Some(0.0) => {
            return fail("the step cannot be 0".into());
        }
        (Function::ArrayPartition, [_, Expr::Number(size)])
            if size.as_f64().is_some_and(|s| s <= 0.0) =>
        {
            return fail("the chunk size must be greater than 0".into());
        }
        _ => {}
    }
    Ok(())
}

fn literal_mismatch(kind: Kind, arg: &Expr) -> Option<&'static str> {
    let is_literal = !matches!(arg, Expr::Call { .. } | Expr::Path(_));
    if !is_literal {
        return None;
    }
    let ok = match kind {
        Kind::Any => true,
        Kind::String => matches!(arg, Expr::String(_)),
        Kind::Integer => matches!(arg, Expr::Number(n) if n.is_i64() || n.is_u64()),
        Kind::Number => matches!(arg, Expr::Number(_)),
        Kind::Array | Kind::Object => false,
        Kind::False => matches!(arg, Expr::Bool(false)),
    };
    (!ok).then_some(match kind {
        Kind::String => "must be a string",
        Kind::Integer => "must be a whole number",
        Kind::Number => "must be a number",
        Kind::Array => "must be an array: pass a path or a call",
        Kind::Object => "must be a JSON object: pass a path or a call",
        Kind::False => "must be `false`: Step Functions merges shallowly only",
        Kind::Any => "",
    })
}

/// `{}` placeholders in a States.Format template, not counting escaped braces.
pub fn count_placeholders(template: &str) -> usize {
    let mut count = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                count += 1;
            }
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_calls() {
        for ok in [
            "States.Format('Hello, {}!', $.name)",
            "States.Format('no placeholders')",
            "States.Format('a \\{literal\\} and {}', States.ArrayLength($.items))",
            "States.Array(1, 'two', true, null, $.x)",
            "States.Array()",
            "States.MathRandom(1, 10)",
            "States.MathRandom($.start, 999, 42)",
            "States.Hash($.data, 'SHA-256')",
            "States.JsonMerge($.a, $.b, false)",
            "States.UUID()",
            "States.ArrayGetItem($.list[?(@.x > 1)], 0)",
            "States.StringToJson($$.Execution.Input.raw)",
            "States.MathAdd(-1.5, 2)",
        ] {
            assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok));
        }
    }

    #[test]
    fn rejects_what_aws_rejects() {
        for (bad, why) in [
            ("States.Formatt('x')", "did you mean `States.Format`"),
            ("States.UUID(1)", "takes 0 argument"),
            ("States.ArrayLength('text')", "must be an array"),
            ("States.Format('{} and {}', $.a)", "2 `{}` placeholder"),
            ("States.Hash($.a, 'SHA-999')", "not an algorithm"),
            ("States.JsonMerge($.a, $.b, true)", "must be `false`"),
            ("States.MathAdd('1', 2)", "must be a number"),
            ("States.ArrayRange(1, 5, 0)", "cannot be 0"),
            ("States.Format('x'", "not closed"),
            ("States.Format('x') trailing", "unexpected text"),
            ("States.Array($.a.)", "not a valid JSONPath"),
            ("States.MathRandom(1)", "2 or 3"),
            ("States.Format('\\n')", "not an escape"),
        ] {
            let error = parse(bad).expect_err(bad).message;
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn limits_nesting_to_ten() {
        let nest = |n: usize| "States.Array(".repeat(n) + &")".repeat(n);
        assert!(parse(&nest(10)).is_ok());
        assert!(parse(&nest(11)).unwrap_err().message.contains("deeper"));
    }
}
