//! JSONPath evaluation as Step Functions does it (AWS runs the Jayway JsonPath dialect): a path that names one node
//! by fields and indexes (a *definite* path) selects that node or nothing; any other path (wildcards, `..`, slices,
//! unions, filters) selects a list, which AWS hands on as a JSON array, in document order.
//!
//! Paths and their filters (`[?(@.price < 10)]`) are parsed by `stepfn_asl::path` once and evaluated here, so evaluating a
//! path per execution does no parsing. Written here because no JSONPath crate follows Jayway's rules for these
//! cases (negative indexes, filters on objects, deep-scan order) over `serde_json` values.

use serde_json::{Map, Value};
use std::cmp::Ordering;
use stepfn_asl::path::{Comparison, Filter, Operand, Path, Segment, Selector};

/// A path as the typed model holds it: parsed (filters too), with its text for messages. Evaluated through
/// [`Select`].
pub type Query = stepfn_asl::path::PathText;

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

/// Parses a path for evaluation.
pub fn parse(text: &str) -> Result<Query, String> {
    let path = Path::parse(text).map_err(|e| e.message)?;
    Ok(query(text, &path))
}

/// A parsed path with the text to name it by in messages.
pub fn query(text: &str, path: &Path) -> Query {
    Query {
        text: text.to_string(),
        path: path.clone(),
    }
}

/// Evaluating a path: selecting what it names, and placing a value at a reference path.
pub trait Select {
    /// Evaluates the path against `root` (the node its root names: input, context object or variable).
    fn select<'v>(&self, root: &'v Value) -> Selection<'v>;
    /// Puts `value` at this reference path in `document`, creating missing objects on the way (`ResultPath`);
    /// `false` (and `document` unchanged at the failing step) when the way passes through something that is not an
    /// object (or an array with that index).
    #[must_use]
    fn place(&self, document: &mut Value, value: Value) -> bool;
}

impl Select for Query {
    fn select<'v>(&self, root: &'v Value) -> Selection<'v> {
        if self.path.is_definite() {
            if let Some(node) = walk(&self.path.segments, root) {
                return Selection::One(node);
            }
        }
        Selection::Many(select_all(&self.path.segments, root))
    }

    fn place(&self, document: &mut Value, value: Value) -> bool {
        let mut node = document;
        for segment in &self.path.segments {
            let next = match (segment, node) {
                (Segment::Field(name), Value::Object(map)) => {
                    if !map.contains_key(name.as_str()) {
                        map.insert(name.clone(), Value::Object(Map::new()));
                    }
                    map.get_mut(name.as_str())
                }
                (Segment::Index(i), Value::Array(items)) => {
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
    walk(&path.segments, root)
}

/// [`walk_definite`] over segments.
fn walk<'v>(segments: &[Segment], root: &'v Value) -> Option<Option<&'v Value>> {
    let mut node = root;
    for segment in segments {
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

/// Every node an indefinite path selects, in document order.
fn select_all<'v>(segments: &[Segment], root: &'v Value) -> Vec<&'v Value> {
    let mut nodes = vec![root];
    for segment in segments {
        let mut next = Vec::new();
        for node in nodes {
            apply(segment, node, root, &mut next);
        }
        nodes = next;
    }
    nodes
}

fn apply<'v>(segment: &Segment, node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    match segment {
        Segment::Field(name) => out.extend(node.as_object().and_then(|o| o.get(name))),
        Segment::Index(i) => out.extend(node.as_array().and_then(|a| index(a, *i))),
        Segment::Wildcard => children(node, out),
        Segment::Descendants(name) => descendants(node, name.as_deref(), out),
        Segment::Slice(start, end, step) => {
            if let Some(array) = node.as_array() {
                slice(array, *start, *end, step.unwrap_or(1), out);
            }
        }
        Segment::Union(selectors) => {
            for selector in selectors {
                match selector {
                    Selector::Field(name) => out.extend(node.as_object().and_then(|o| o.get(name))),
                    Selector::Index(i) => out.extend(node.as_array().and_then(|a| index(a, *i))),
                }
            }
        }
        Segment::Filter(filter) => match node {
            Value::Array(items) => {
                out.extend(items.iter().filter(|item| matches(filter, item, root)))
            }
            other => {
                if matches(filter, other, root) {
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
    // `from` and `to` lie in 0..=len; stepping by `step_by` cannot overflow whatever the step.
    let step = usize::try_from(step).unwrap_or(usize::MAX);
    out.extend(
        (from as usize..to as usize)
            .step_by(step)
            .filter_map(|i| array.get(i)),
    );
}

/// Whether `item` passes a filter; `@` paths read the item, `$` paths the document.
fn matches(filter: &Filter, item: &Value, root: &Value) -> bool {
    match filter {
        Filter::Or(a, b) => matches(a, item, root) || matches(b, item, root),
        Filter::And(a, b) => matches(a, item, root) && matches(b, item, root),
        Filter::Not(a) => !matches(a, item, root),
        Filter::Exists(operand) => operand_value(operand, item, root).is_some(),
        Filter::Compare(left, comparison, right) => {
            match (
                operand_value(left, item, root),
                operand_value(right, item, root),
            ) {
                (Some(a), Some(b)) => compare(&a, *comparison, &b),
                _ => false,
            }
        }
    }
}

fn operand_value(operand: &Operand, item: &Value, root: &Value) -> Option<Value> {
    match operand {
        Operand::Literal(value) => Some(value.clone()),
        Operand::Path { current, path, .. } => {
            let base = if *current { item } else { root };
            if let Some(node) = walk(&path.segments, base) {
                return node.cloned();
            }
            match select_all(&path.segments, base) {
                nodes if nodes.is_empty() => None,
                nodes => Some(Value::Array(nodes.into_iter().cloned().collect())),
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
