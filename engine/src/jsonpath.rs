//! JSONPath evaluation as Step Functions does it (AWS runs the Jayway JsonPath dialect): a path that names one node
//! by fields and indexes (a *definite* path) selects that node or nothing; any other path (wildcards, `..`, slices,
//! unions, filters) selects a list, which AWS hands on as a JSON array, in document order.
//!
//! Paths are parsed by `stepfn_asl::path`; filters (`[?(@.price < 10)]`) are compiled here once, so evaluating a
//! path per execution does no parsing. Written here because no JSONPath crate follows Jayway's rules for these
//! cases (negative indexes, filters on objects, deep-scan order) over `serde_json` values.

use serde_json::{Map, Value};
use std::cmp::Ordering;
use stepfn_asl::path::{Path, Root, Segment, Selector};

/// A path compiled for evaluation.
#[derive(Debug, Clone)]
pub struct Query {
    /// The path as written, for error messages.
    pub text: String,
    pub root: Root,
    steps: Vec<Step>,
    definite: bool,
}

#[derive(Debug, Clone)]
enum Step {
    Field(String),
    Index(i64),
    Wildcard,
    Descendants(Option<String>),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Union(Vec<Selector>),
    Filter(Filter),
}

/// What a query found.
#[derive(Debug)]
pub enum Selection<'v> {
    /// A definite path's node, or `None` when the document has no such node.
    One(Option<&'v Value>),
    /// An indefinite path's matches (possibly none).
    Many(Vec<&'v Value>),
}

impl<'v> Selection<'v> {
    /// The selected value as AWS hands it on: the node, or an array of the matches.
    pub fn into_value(self) -> Option<Value> {
        match self {
            Selection::One(node) => node.cloned(),
            Selection::Many(nodes) => Some(Value::Array(nodes.into_iter().cloned().collect())),
        }
    }
}

impl Query {
    /// Parses and compiles a path.
    pub fn parse(text: &str) -> Result<Query, String> {
        let path = Path::parse(text).map_err(|e| e.message)?;
        Query::compile(text, &path)
    }

    /// Compiles a parsed path.
    pub fn compile(text: &str, path: &Path) -> Result<Query, String> {
        let steps = path
            .segments
            .iter()
            .map(|segment| {
                Ok(match segment {
                    Segment::Field(name) => Step::Field(name.clone()),
                    Segment::Index(i) => Step::Index(*i),
                    Segment::Wildcard => Step::Wildcard,
                    Segment::Descendants(name) => Step::Descendants(name.clone()),
                    Segment::Slice(a, b, c) => Step::Slice(*a, *b, *c),
                    Segment::Union(selectors) => Step::Union(selectors.clone()),
                    Segment::Filter(expression) => Step::Filter(Filter::parse(expression)?),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Query {
            text: text.to_string(),
            root: path.root.clone(),
            definite: path.is_definite(),
            steps,
        })
    }

    /// Whether the path names at most one node.
    pub fn is_definite(&self) -> bool {
        self.definite
    }

    /// Evaluates the path against `root` (the node its root names: input, context object or variable).
    pub fn select<'v>(&self, root: &'v Value) -> Selection<'v> {
        if self.definite {
            let mut node = root;
            for step in &self.steps {
                let next = match step {
                    Step::Field(name) => node.as_object().and_then(|o| o.get(name)),
                    Step::Index(i) => node.as_array().and_then(|a| index(a, *i)),
                    _ => unreachable!("definite paths hold fields and indexes only"),
                };
                match next {
                    Some(next) => node = next,
                    None => return Selection::One(None),
                }
            }
            return Selection::One(Some(node));
        }
        let mut nodes = vec![root];
        for step in &self.steps {
            let mut next = Vec::new();
            for node in nodes {
                apply(step, node, root, &mut next);
            }
            nodes = next;
        }
        Selection::Many(nodes)
    }
}

impl Query {
    /// Puts `value` at this reference path in `document`, creating missing objects on the way (`ResultPath`);
    /// `false` (and `document` unchanged at the failing step) when the way passes through something that is not an
    /// object (or an array with that index).
    #[must_use]
    pub fn place(&self, document: &mut Value, value: Value) -> bool {
        let mut node = document;
        for step in &self.steps {
            let next = match (step, node) {
                (Step::Field(name), Value::Object(map)) => {
                    if !map.contains_key(name.as_str()) {
                        map.insert(name.clone(), Value::Object(Map::new()));
                    }
                    map.get_mut(name.as_str())
                }
                (Step::Index(i), Value::Array(items)) => {
                    let at = if *i < 0 { items.len() as i64 + i } else { *i };
                    usize::try_from(at).ok().and_then(|at| items.get_mut(at))
                }
                _ => None,
            };
            match next {
                Some(next) => node = next,
                None => return false,
            }
        }
        *node = value;
        true
    }
}

/// Walks a definite path (fields and indexes only) without compiling it: `None` when the path is not definite,
/// `Some(None)` when the document has no such node. Choice variables and intrinsic arguments are nearly always
/// definite, and this keeps them free of allocation.
pub fn walk_definite<'v>(path: &Path, root: &'v Value) -> Option<Option<&'v Value>> {
    let mut node = root;
    for segment in &path.segments {
        let next = match segment {
            Segment::Field(name) => node.as_object().and_then(|o| o.get(name)),
            Segment::Index(i) => node.as_array().and_then(|a| index(a, *i)),
            _ => return None,
        };
        match next {
            Some(next) => node = next,
            None => return Some(None),
        }
    }
    Some(Some(node))
}

fn index(array: &[Value], i: i64) -> Option<&Value> {
    let at = if i < 0 { array.len() as i64 + i } else { i };
    usize::try_from(at).ok().and_then(|at| array.get(at))
}

fn apply<'v>(step: &Step, node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    match step {
        Step::Field(name) => out.extend(node.as_object().and_then(|o| o.get(name))),
        Step::Index(i) => out.extend(node.as_array().and_then(|a| index(a, *i))),
        Step::Wildcard => children(node, out),
        Step::Descendants(name) => descendants(node, name.as_deref(), out),
        Step::Slice(start, end, step) => {
            if let Some(array) = node.as_array() {
                slice(array, *start, *end, step.unwrap_or(1), out);
            }
        }
        Step::Union(selectors) => {
            for selector in selectors {
                match selector {
                    Selector::Field(name) => out.extend(node.as_object().and_then(|o| o.get(name))),
                    Selector::Index(i) => out.extend(node.as_array().and_then(|a| index(a, *i))),
                }
            }
        }
        Step::Filter(filter) => match node {
            Value::Array(items) => {
                out.extend(items.iter().filter(|item| filter.matches(item, root)))
            }
            other => {
                if filter.matches(other, root) {
                    out.push(other)
                }
            }
        },
    }
}

fn children<'v>(node: &'v Value, out: &mut Vec<&'v Value>) {
    match node {
        Value::Array(items) => out.extend(items.iter()),
        Value::Object(map) => out.extend(map.values()),
        _ => {}
    }
}

/// Jayway's deep scan: at each node, its own match first, then each child's subtree in order.
fn descendants<'v>(node: &'v Value, name: Option<&str>, out: &mut Vec<&'v Value>) {
    match (node, name) {
        (Value::Object(map), Some(name)) => out.extend(map.get(name)),
        (node, None) => children(node, out),
        _ => {}
    }
    match node {
        Value::Array(items) => items.iter().for_each(|item| descendants(item, name, out)),
        Value::Object(map) => map.values().for_each(|child| descendants(child, name, out)),
        _ => {}
    }
}

fn slice<'v>(
    array: &'v [Value],
    start: Option<i64>,
    end: Option<i64>,
    step: i64,
    out: &mut Vec<&'v Value>,
) {
    let len = array.len() as i64;
    let clamp = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) };
    if step <= 0 {
        return;
    }
    let (from, to) = (clamp(start.unwrap_or(0)), clamp(end.unwrap_or(len)));
    let mut i = from;
    while i < to {
        out.push(&array[i as usize]);
        i += step;
    }
}

/// A compiled filter expression: `@.price < 10 && @.tags`, comparisons, `!`, `&&`, `||`, parentheses.
#[derive(Debug, Clone)]
enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Exists(Operand),
    Compare(Operand, Comparison, Operand),
}

#[derive(Debug, Clone, Copy)]
enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
enum Operand {
    /// `@...` (relative to the item) or `$...` (relative to the document root).
    Path {
        current: bool,
        query: Box<Query>,
    },
    Literal(Value),
}

impl Filter {
    fn parse(text: &str) -> Result<Filter, String> {
        let mut parser = FilterParser {
            text,
            chars: text.chars().collect(),
            at: 0,
        };
        let filter = parser.or()?;
        parser.spaces();
        if parser.at < parser.chars.len() {
            return Err(format!(
                "unexpected `{}` in the filter `{text}`",
                parser.chars[parser.at]
            ));
        }
        Ok(filter)
    }

    fn matches(&self, item: &Value, root: &Value) -> bool {
        match self {
            Filter::Or(a, b) => a.matches(item, root) || b.matches(item, root),
            Filter::And(a, b) => a.matches(item, root) && b.matches(item, root),
            Filter::Not(a) => !a.matches(item, root),
            Filter::Exists(operand) => operand.value(item, root).is_some(),
            Filter::Compare(left, comparison, right) => {
                match (left.value(item, root), right.value(item, root)) {
                    (Some(a), Some(b)) => compare(&a, *comparison, &b),
                    _ => false,
                }
            }
        }
    }
}

impl Operand {
    fn value(&self, item: &Value, root: &Value) -> Option<Value> {
        match self {
            Operand::Literal(value) => Some(value.clone()),
            Operand::Path { current, query } => {
                let base = if *current { item } else { root };
                match query.select(base) {
                    Selection::One(node) => node.cloned(),
                    Selection::Many(nodes) if nodes.is_empty() => None,
                    many => many.into_value(),
                }
            }
        }
    }
}

fn compare(a: &Value, comparison: Comparison, b: &Value) -> bool {
    let ordering = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    };
    match comparison {
        Comparison::Eq => ordering.map_or(a == b, |o| o == Ordering::Equal),
        Comparison::Ne => ordering.map_or(a != b, |o| o != Ordering::Equal),
        Comparison::Lt => ordering == Some(Ordering::Less),
        Comparison::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        Comparison::Gt => ordering == Some(Ordering::Greater),
        Comparison::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    }
}

struct FilterParser<'a> {
    text: &'a str,
    chars: Vec<char>,
    at: usize,
}

impl FilterParser<'_> {
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
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let inner = self.or()?;
            if !self.eat(")") {
                return Err(format!("a `(` is not closed in the filter `{}`", self.text));
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
                let mut depth = 0;
                while let Some(&c) = self.chars.get(self.at) {
                    match c {
                        '[' => depth += 1,
                        ']' => depth -= 1,
                        c if depth == 0 && (c.is_whitespace() || "=!<>&|)".contains(c)) => break,
                        _ => {}
                    }
                    self.at += 1;
                }
                let rest: String = self.chars[start + 1..self.at].iter().collect();
                let text = format!("${rest}");
                let query = Query::parse(&text)?;
                Ok(Operand::Path {
                    current,
                    query: Box::new(query),
                })
            }
            Some(quote @ ('\'' | '"')) => {
                let quote = *quote;
                self.at += 1;
                let mut text = String::new();
                loop {
                    match self.chars.get(self.at) {
                        None => {
                            return Err(format!(
                                "a string is not closed in the filter `{}`",
                                self.text
                            ))
                        }
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
                    .ok_or_else(|| format!("expected a path, a string, a number, true, false or null in the filter `{}`", self.text))
            }
        }
    }
}
