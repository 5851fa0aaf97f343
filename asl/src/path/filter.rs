//! JSONPath filter expressions, `[?(@.price < 10 && @.tags)]`, parsed once into a tree the validator checks and the
//! executor evaluates, so `workflow!`, `stepfn validate` and `stepfn run` read a filter the same way.
//!
//! The grammar is Jayway's (the JSONPath AWS runs) as far as Step Functions users write it: `||`, `&&`, `!`,
//! parentheses, comparisons `== != < <= > >=` between paths (`@...` from the item, `$...` from the document) and
//! JSON literals (`'text'`, `"text"`, numbers, `true`, `false`, `null`), and a bare path for "exists". Inside a quoted
//! string a backslash takes the next character as it is. Nesting (of `!`, parentheses and filters inside operand
//! paths) is limited to [`MAX_FILTER_DEPTH`], so no text can exhaust the stack.

use super::{Path, PathError};
use serde_json::Value;

/// The deepest nesting of `!`, `(` and filters within filters that a path may have.
pub const MAX_FILTER_DEPTH: usize = 32;

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// A bare operand: true when the path selects something.
    Exists(Operand),
    Compare(Operand, Comparison, Operand),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `@...` (`current`: relative to the item) or `$...` (relative to the document root), with its text as written
    /// from `$` on, for messages.
    Path {
        current: bool,
        text: String,
        path: Path,
    },
    Literal(Value),
}

impl Filter {
    /// Parses the text between `[?(` and `)]`; `depth` is the nesting already used by enclosing filters.
    pub(super) fn parse(text: &str, depth: usize) -> Result<Filter, String> {
        if depth >= MAX_FILTER_DEPTH {
            return Err(format!(
                "the filter nests deeper than {MAX_FILTER_DEPTH} levels"
            ));
        }
        let mut parser = FilterParser {
            chars: text.chars().collect(),
            at: 0,
            depth,
        };
        let filter = parser.or()?;
        parser.spaces();
        if let Some(c) = parser.chars.get(parser.at) {
            return Err(format!("unexpected `{c}` in the filter"));
        }
        Ok(filter)
    }
}

struct FilterParser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

impl FilterParser {
    fn spaces(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.spaces();
        let token: Vec<char> = token.chars().collect();
        if self.chars[self.at..].starts_with(&token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    /// Enters one level of nesting, or names the limit.
    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(format!(
                "the filter nests deeper than {MAX_FILTER_DEPTH} levels"
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.eat("&&") {
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if self.eat("!") {
            self.nest()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.eat("(") {
            self.nest()?;
            let inner = self.or()?;
            self.depth -= 1;
            if !self.eat(")") {
                return Err("a `(` is not closed in the filter".to_string());
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        let comparison = [
            ("==", Comparison::Eq),
            ("!=", Comparison::Ne),
            ("<=", Comparison::Le),
            (">=", Comparison::Ge),
            ("<", Comparison::Lt),
            (">", Comparison::Gt),
        ]
        .into_iter()
        .find(|(token, _)| self.eat(token));
        match comparison {
            Some((_, comparison)) => Ok(Filter::Compare(left, comparison, self.operand()?)),
            None => Ok(Filter::Exists(left)),
        }
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.spaces();
        let start = self.at;
        match self.chars.get(self.at) {
            Some('@' | '$') => {
                let current = self.chars[self.at] == '@';
                self.at += 1;
                let mut brackets = 0usize;
                let mut quote = None;
                while let Some(&c) = self.chars.get(self.at) {
                    match (quote, c) {
                        (Some(_), '\\') => self.at += 1,
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '[') => brackets += 1,
                        (None, ']') => brackets = brackets.saturating_sub(1),
                        (None, c)
                            if brackets == 0 && (c.is_whitespace() || "=!<>&|)".contains(c)) =>
                        {
                            break
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
                let end = self.at.min(self.chars.len());
                let rest: String = self.chars[start + 1..end].iter().collect();
                let text = format!("${rest}");
                let path =
                    Path::parse_nested(&text, self.depth + 1).map_err(|e: PathError| e.message)?;
                Ok(Operand::Path {
                    current,
                    text,
                    path,
                })
            }
            Some(&quote @ ('\'' | '"')) => {
                self.at += 1;
                let mut text = String::new();
                loop {
                    match self.chars.get(self.at) {
                        None => return Err("a string is not closed in the filter".to_string()),
                        Some('\\') => {
                            text.extend(self.chars.get(self.at + 1));
                            self.at += 2;
                        }
                        Some(&c) if c == quote => {
                            self.at += 1;
                            return Ok(Operand::Literal(Value::String(text)));
                        }
                        Some(&c) => {
                            text.push(c);
                            self.at += 1;
                        }
                    }
                }
            }
            _ => {
                while self
                    .chars
                    .get(self.at)
                    .is_some_and(|c| c.is_alphanumeric() || "-+.eE".contains(*c))
                {
                    self.at += 1;
                }
                let word: String = self.chars[start..self.at].iter().collect();
                serde_json::from_str::<Value>(&word)
                    .ok()
                    .filter(|v| !v.is_object() && !v.is_array())
                    .map(Operand::Literal)
                    .ok_or_else(|| {
                        format!(
                            "expected a path, a string, a number, true, false or null in the filter, not `{}`",
                            super::shorten(&word)
                        )
                    })
            }
        }
    }
}
