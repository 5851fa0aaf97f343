//! Workflow variables across the graph: a variable read by a state must be assigned on every path from `StartAt` to
//! that state (values assigned by a state are visible from the next state on; a Catch or Choice rule's `Assign`
//! only on its own edge), and the states inside a Parallel branch or a Map's item processor may read the variables
//! of the enclosing scopes but not assign their names (AWS rejects that; data leaves an inner scope by its output).
//!
//! A must-be-assigned data-flow analysis per scope: the set of variables assigned on entry to a state is the
//! intersection, over its incoming edges, of what the predecessor had plus what that edge assigns.

use super::Checker;
use crate::intrinsic::{self, Expr};
use crate::path::{Path, Root};
use crate::problem::{pointer_segment, Rule};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

type Names = BTreeSet<String>;

/// The keys of fields that hold nested scopes, whose states are analysed on their own.
const NESTED: &[&str] = &["Branches", "ItemProcessor", "Iterator"];

/// Payload templates: inside them only `.$` keys hold paths (`"FilePath": "$x"` is a literal).
const TEMPLATES: &[&str] = &[
    "Parameters",
    "ResultSelector",
    "ItemSelector",
    "Assign",
    "Arguments",
    "Output",
    "BatchInput",
    "Result",
];

/// An edge of the graph: target state and the variables the edge assigns.
struct Edge {
    to: String,
    assigns: Names,
}

impl Checker {
    /// Checks the variables of the machine (called once the graph itself is known to be well formed enough).
    pub(crate) fn variables(&mut self, machine: &Map<String, Value>) {
        let jsonata = machine.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
        self.variable_scope("", machine, &Names::new(), &Names::new(), jsonata);
    }

    fn variable_scope(
        &mut self,
        at: &str,
        scope: &Map<String, Value>,
        assigned_before: &Names,
        outer_names: &Names,
        jsonata_outer: bool,
    ) {
        let Some(states) = scope.get("States").and_then(Value::as_object) else {
            return;
        };
        let Some(start) = scope.get("StartAt").and_then(Value::as_str) else {
            return;
        };
        let mut edges: BTreeMap<&str, Vec<Edge>> = BTreeMap::new();
        let mut local_names = Names::new();
        for (name, state) in states {
            let state = state.as_object();
            edges.insert(name, state.map(state_edges).unwrap_or_default());
            if let Some(state) = state {
                local_names.extend(assigned_names(state));
            }
        }
        let assigned = must_assigned(states, &edges, start, assigned_before);
        let everywhere: Names = outer_names.union(&local_names).cloned().collect();
        for (name, state) in states {
            let Some(state) = state.as_object() else {
                continue;
            };
            let state_at = format!("{at}/States/{}", pointer_segment(name));
            if !outer_names.is_empty() {
                self.inner_assigns(&state_at, state, outer_names);
            }
            // States no path reaches are reported by the graph rules; reading there is not checked again.
            let Some(entry) = assigned.get(name.as_str()) else {
                continue;
            };
            let jsonata = match state.get("QueryLanguage").and_then(Value::as_str) {
                Some(language) => language == "JSONata",
                None => jsonata_outer,
            };
            let mut reads = Vec::new();
            let reader = Reader { jsonata };
            reader.collect(
                &state_at,
                &Value::Object(state.clone()),
                true,
                false,
                &mut reads,
            );
            for (pointer, variable) in reads {
                if entry.contains(&variable) {
                    continue;
                }
                let message = if everywhere.contains(&variable) {
                    format!(
                        "`${variable}` may not be assigned yet when `{name}` runs: on some path from `StartAt` to \
                         `{name}` no state assigns it (a state's `Assign` takes effect from the next state on); \
                         assign it on every path before `{name}`"
                    )
                } else {
                    format!(
                        "`${variable}` is never assigned: add it to the `Assign` of a state that runs before `{name}`"
                    )
                };
                self.report(Rule::UnassignedVariable, pointer, message);
            }
            let inner_before = entry.clone();
            for key in NESTED {
                match state.get(*key) {
                    Some(Value::Array(branches)) => {
                        for (i, branch) in branches.iter().enumerate() {
                            if let Some(branch) = branch.as_object() {
                                let branch_at = format!("{state_at}/{key}/{i}");
                                self.variable_scope(
                                    &branch_at,
                                    branch,
                                    &inner_before,
                                    &everywhere,
                                    jsonata,
                                );
                            }
                        }
                    }
                    Some(Value::Object(processor)) => {
                        let processor_at = format!("{state_at}/{key}");
                        self.variable_scope(
                            &processor_at,
                            processor,
                            &inner_before,
                            &everywhere,
                            jsonata,
                        );
                    }
                    _ => {}
                }
            }
        }
    }

    /// An inner scope's `Assign` naming a variable of an enclosing scope.
    fn inner_assigns(&mut self, state_at: &str, state: &Map<String, Value>, outer_names: &Names) {
        let mut assigns: Vec<(String, &Map<String, Value>)> = Vec::new();
        if let Some(Value::Object(assign)) = state.get("Assign") {
            assigns.push((format!("{state_at}/Assign"), assign));
        }
        for (list, label) in [("Choices", "Choices"), ("Catch", "Catch")] {
            for (i, entry) in state
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if let Some(Value::Object(assign)) = entry.get("Assign") {
                    assigns.push((format!("{state_at}/{label}/{i}/Assign"), assign));
                }
            }
        }
        for (at, assign) in assigns {
            for key in assign.keys() {
                let name = key.strip_suffix(".$").unwrap_or(key);
                if outer_names.contains(name) {
                    self.report(
                        Rule::OuterVariableAssigned,
                        format!("{at}/{}", pointer_segment(key)),
                        format!(
                            "`{name}` is a variable of an enclosing scope: a Parallel branch or Map iteration can read \
                             it but not assign it; use another name, and hand data out through the state's output"
                        ),
                    );
                }
            }
        }
    }
}

/// The variable names a state's `Assign` fields (state, Choice rules, catchers) give values to.
fn assigned_names(state: &Map<String, Value>) -> Names {
    let mut names = Names::new();
    let mut add = |assign: Option<&Value>| {
        if let Some(Value::Object(assign)) = assign {
            names.extend(
                assign
                    .keys()
                    .map(|k| k.strip_suffix(".$").unwrap_or(k).to_string()),
            );
        }
    };
    add(state.get("Assign"));
    for list in ["Choices", "Catch"] {
        for entry in state
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(entry.get("Assign"));
        }
    }
    names
}

fn assign_keys(object: &Value) -> Names {
    match object.get("Assign") {
        Some(Value::Object(assign)) => assign
            .keys()
            .map(|k| k.strip_suffix(".$").unwrap_or(k).to_string())
            .collect(),
        _ => Names::new(),
    }
}

/// The state's outgoing edges with what each assigns: `Next` and Choice `Default` carry the state's `Assign`, a
/// Choice rule its own too, a catcher only its own (a failed state's `Assign` is not evaluated).
fn state_edges(state: &Map<String, Value>) -> Vec<Edge> {
    let own = assign_keys(&Value::Object(state.clone()));
    let mut edges = Vec::new();
    let target = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    if let Some(to) = target(state.get("Next")) {
        edges.push(Edge {
            to,
            assigns: own.clone(),
        });
    }
    if let Some(to) = target(state.get("Default")) {
        edges.push(Edge {
            to,
            assigns: own.clone(),
        });
    }
    for rule in state
        .get("Choices")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(to) = target(rule.get("Next")) {
            let assigns = own.union(&assign_keys(rule)).cloned().collect();
            edges.push(Edge { to, assigns });
        }
    }
    for catcher in state
        .get("Catch")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(to) = target(catcher.get("Next")) {
            edges.push(Edge {
                to,
                assigns: assign_keys(catcher),
            });
        }
    }
    edges
}

/// For each state reachable from `start`, the variables assigned on every path to it.
fn must_assigned<'a>(
    states: &'a Map<String, Value>,
    edges: &BTreeMap<&'a str, Vec<Edge>>,
    start: &str,
    before: &Names,
) -> BTreeMap<&'a str, Names> {
    let mut entry: BTreeMap<&str, Names> = BTreeMap::new();
    let Some((start, _)) = states.get_key_value(start) else {
        return entry;
    };
    entry.insert(start.as_str(), before.clone());
    let mut work = vec![start.as_str()];
    while let Some(state) = work.pop() {
        let here = entry[state].clone();
        for edge in edges.get(state).into_iter().flatten() {
            let Some((to, _)) = states.get_key_value(edge.to.as_str()) else {
                continue;
            };
            let along: Names = here.union(&edge.assigns).cloned().collect();
            let to = to.as_str();
            let changed = match entry.get_mut(to) {
                None => {
                    entry.insert(to, along);
                    true
                }
                Some(known) => {
                    let meet: Names = known.intersection(&along).cloned().collect();
                    let changed = meet != *known;
                    *known = meet;
                    changed
                }
            };
            // The start state is entered first with `before` only; a loop back to it narrows that set too.
            if changed {
                work.push(to);
            }
        }
    }
    entry
}

/// Reads the variables a state's fields use: JSONPath paths and intrinsics always, `{% %}` strings only in JSONata
/// states (in JSONPath states they are literal text).
struct Reader {
    jsonata: bool,
}

impl Reader {
    /// Every variable read, with the pointer of the value that reads it; nested scopes are left to their own
    /// analysis.
    fn collect(
        &self,
        at: &str,
        value: &Value,
        top: bool,
        template: bool,
        reads: &mut Vec<(String, String)>,
    ) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if top && (NESTED.contains(&key.as_str()) || key == "Result") {
                        continue; // nested scopes; a Pass state's Result is a literal, `.$` keys included
                    }
                    let child_at = format!("{at}/{}", pointer_segment(key));
                    let in_template = template || TEMPLATES.contains(&key.as_str());
                    match child {
                        Value::String(text) if !self.jsonata && is_path_field(key, template) => {
                            path_reads(text, &child_at, reads);
                        }
                        other => self.collect(&child_at, other, false, in_template, reads),
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.collect(&format!("{at}/{i}"), item, false, template, reads);
                }
            }
            Value::String(text) if self.jsonata => jsonata_reads(text, at, reads),
            _ => {}
        }
    }
}

/// Keys whose string value is a JSONPath (or, for `.$` keys, a path or intrinsic call); inside a template only the
/// `.$` keys.
fn is_path_field(key: &str, template: bool) -> bool {
    key.ends_with(".$") || (!template && (key.ends_with("Path") || key == "Variable"))
}

fn path_reads(text: &str, at: &str, reads: &mut Vec<(String, String)>) {
    if intrinsic::looks_like_call(text) {
        if let Ok(expr) = intrinsic::parse(text) {
            expr_reads(&expr, at, reads);
        }
    } else if let Ok(path) = Path::parse(text) {
        path_root_read(&path, at, reads);
    }
}

fn expr_reads(expr: &Expr, at: &str, reads: &mut Vec<(String, String)>) {
    match expr {
        Expr::Call { args, .. } => args.iter().for_each(|a| expr_reads(a, at, reads)),
        Expr::Path(path) => path_root_read(path, at, reads),
        _ => {}
    }
}

fn path_root_read(path: &Path, at: &str, reads: &mut Vec<(String, String)>) {
    if let Root::Variable(name) = &path.root {
        reads.push((at.to_string(), name.clone()));
    }
}

/// The variables a JSONata string (`{% ... %}`) reads, from the JSONata parser's tree: the expression's free
/// variables ([`stepfn_jsonata::Expression::free_variables`]) but `$states`. An expression that does not parse reads
/// nothing here (its syntax error is reported on its own).
fn jsonata_reads(text: &str, at: &str, reads: &mut Vec<(String, String)>) {
    let Some(body) = crate::jsonata_text::expression_body(text) else {
        return;
    };
    let Ok(expression) = stepfn_jsonata::Expression::parse(body) else {
        return;
    };
    for name in expression.free_variables() {
        if name != "states" {
            reads.push((at.to_string(), name));
        }
    }
}
