//! Data types through the graph: which Rust type reaches each step's input, wherever the workflow's fields leave
//! it known at compile time.
//!
//! A step's output flows on unchanged along `Next`, through every target of a Choice, through Pass, Wait and
//! Succeed states without paths or results of their own; a Map's items reach the first state of its item
//! processor, and the Map passes on a `Vec` of what its processor ends with; a Parallel passes on a tuple of its
//! branches' outputs, in order (serde writes both as JSON arrays); a Catch passes `stepfn::Caught`. A field that
//! reshapes the data with a path or a template (`InputPath`, `Parameters`, `ResultSelector`, a `ResultPath` into
//! the input, `Output`, ...) makes the type unknown from there on, so nothing past it is checked: the analysis
//! only ever adds checks that must hold at run time.
//!
//! Each type that reaches a step becomes an [`Edge`], which `expand` turns into a probe that rustc checks, spanned
//! on the transition (the arrow, `Next`, `Default` or `StartAt`) that brings it there.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use serde_json::Value;
use std::collections::HashMap;
use stepfn_asl::model::{Definition, Io, Kind, Scope, State};
use stepfn_asl::{pointer_segment, QueryLanguage};
use syn::Path;

/// How many different types may reach one state before the analysis stops adding more (loops through a Parallel
/// could otherwise nest tuples without end).
const MAX_SHAPES_PER_STATE: usize = 8;
/// How deeply a type may nest (`Vec<(Vec<T>, U)>` is 3).
const MAX_SHAPE_DEPTH: usize = 4;
/// Rounds of propagation; each round moves every known type one state on, so loops settle well within this.
const MAX_ROUNDS: usize = 256;

/// A Rust type known to describe a JSON value at some point of the workflow.
#[derive(Clone)]
pub enum Shape {
    /// What a step returns.
    Output { step: Path, state: String },
    /// One item of the array a Map iterates.
    Item { of: Box<Shape>, map: String },
    /// A Map's results: its item processor's output, for every item.
    Results { of: Box<Shape>, map: String },
    /// A Parallel's results: its branches' outputs, in order.
    Branches { of: Vec<Shape>, parallel: String },
    /// The error output a Catch passes on: `{"Error": ..., "Cause": ...}`.
    Caught { state: String },
}

impl Shape {
    /// The Rust type, as tokens valid in the user's crate.
    pub fn ty(&self, span: Span) -> TokenStream {
        match self {
            Shape::Output { step, .. } => quote_spanned!(span=> <#step as ::stepfn::Step>::Output),
            Shape::Item { of, .. } => {
                let of = of.ty(span);
                quote_spanned!(span=> <#of as ::stepfn::MapItems>::Item)
            }
            Shape::Results { of, .. } => {
                let of = of.ty(span);
                quote_spanned!(span=> ::stepfn::__private::std::vec::Vec<#of>)
            }
            Shape::Branches { of, .. } => {
                let of = of.iter().map(|shape| shape.ty(span));
                quote_spanned!(span=> (#(#of,)*))
            }
            Shape::Caught { .. } => quote_spanned!(span=> ::stepfn::Caught),
        }
    }

    /// What the value is, for messages: "the output of step `Charge`".
    pub fn describe(&self) -> String {
        match self {
            Shape::Output { state, .. } => format!("the output of step `{state}`"),
            Shape::Item { of, map } => {
                format!("an item of {} (Map `{map}` iterates it)", of.describe())
            }
            Shape::Results { map, .. } => format!("the results of Map `{map}`"),
            Shape::Branches { parallel, .. } => format!("the results of Parallel `{parallel}`"),
            Shape::Caught { state } => format!("the error caught from `{state}`"),
        }
    }

    /// Identity for de-duplication: two shapes with the same key are the same type.
    fn key(&self) -> String {
        match self {
            Shape::Output { state, .. } => format!("out({state})"),
            Shape::Item { of, .. } => format!("item({})", of.key()),
            Shape::Results { of, map } => format!("results({map},{})", of.key()),
            Shape::Branches { of, .. } => {
                let of: Vec<String> = of.iter().map(Shape::key).collect();
                format!("({})", of.join(","))
            }
            Shape::Caught { .. } => "caught".into(),
        }
    }

    fn depth(&self) -> usize {
        match self {
            Shape::Output { .. } | Shape::Caught { .. } => 0,
            Shape::Item { of, .. } | Shape::Results { of, .. } => 1 + of.depth(),
            Shape::Branches { of, .. } => 1 + of.iter().map(Shape::depth).max().unwrap_or(0),
        }
    }
}

/// A type that reaches a step's input, and the pointer of the transition that brings it.
pub struct Edge {
    pub from: Shape,
    pub to: Path,
    pub to_state: String,
    pub span: Span,
}

/// One state of the machine, with where it is.
struct Node<'a> {
    state: &'a State,
    object: &'a Value,
    pointer: String,
    scope: usize,
}

struct ScopeInfo {
    pointer: String,
    start: usize,
    nodes: Vec<usize>,
}

/// A type arriving at a state, with the pointer of the transition it came along.
#[derive(Clone)]
struct Arrival {
    shape: Shape,
    via: String,
}

struct Flow<'a> {
    nodes: Vec<Node<'a>>,
    scopes: Vec<ScopeInfo>,
    /// For each scope and index into its `Scope::states`, the node.
    index: Vec<Vec<usize>>,
    /// For each node, the scopes it holds: a Parallel's branches in order, a Map's item processor.
    children: Vec<Vec<usize>>,
    arrivals: Vec<Vec<Arrival>>,
    outputs: Vec<Vec<Shape>>,
    /// Whether data of a type not known at compile time may reach the state (the execution's input, a template's
    /// result, ...), and may leave it: what decides whether the workflow's output type is known.
    opaque_in: Vec<bool>,
    opaque_out: Vec<bool>,
    steps: &'a HashMap<String, Path>,
    changed: bool,
}

/// What the analysis finds: the typed edges into steps, and the workflow's output type if it is known.
pub struct Analysis {
    pub edges: Vec<Edge>,
    /// The one type every way to the machine's successful end leaves the data in: the execution's output. `None`
    /// when a way to the end reshapes the data (a template, a path) or two ways end with different types.
    pub output: Option<Shape>,
}

/// The typed edges into steps of a validated definition, and its output type. `steps` maps a Task state's name
/// to its step.
pub fn analyse(
    document: &Value,
    steps: &HashMap<String, Path>,
    span_of: impl Fn(&str) -> Span,
) -> Analysis {
    let Ok(definition) = Definition::from_document(document.clone()) else {
        return Analysis {
            edges: Vec::new(),
            output: None,
        };
    };
    let mut flow = Flow {
        nodes: Vec::new(),
        scopes: Vec::new(),
        index: Vec::new(),
        children: Vec::new(),
        arrivals: Vec::new(),
        outputs: Vec::new(),
        opaque_in: Vec::new(),
        opaque_out: Vec::new(),
        steps,
        changed: false,
    };
    flow.add_scope(&definition.root, &definition.document, String::new());
    flow.arrivals = vec![Vec::new(); flow.nodes.len()];
    flow.outputs = vec![Vec::new(); flow.nodes.len()];
    flow.opaque_in = vec![false; flow.nodes.len()];
    flow.opaque_out = vec![false; flow.nodes.len()];
    // The execution's input is JSON, whatever type it was made from.
    if let Some(root) = flow.scopes.first() {
        let start = root.start;
        flow.opaque_in[start] = true;
    }
    for _ in 0..MAX_ROUNDS {
        flow.changed = false;
        for node in 0..flow.nodes.len() {
            flow.visit(node);
        }
        if !flow.changed {
            break;
        }
    }
    let mut edges = Vec::new();
    for (node, arrivals) in flow.nodes.iter().zip(&flow.arrivals) {
        let Some(step) = flow.step_reading_input(node) else {
            continue;
        };
        for arrival in arrivals {
            edges.push(Edge {
                from: arrival.shape.clone(),
                to: step.clone(),
                to_state: node.state.name.clone(),
                span: span_of(&arrival.via),
            });
        }
    }
    // In source order, so a mistake upstream (a processor's first step) is reported before what it leads to (the
    // Map's results); where rustc does not tell positions (before 1.88), in the order of the states.
    edges.sort_by_key(|edge| {
        let start = edge.span.start();
        (start.line, start.column)
    });
    let output = flow.machine_output();
    Analysis { edges, output }
}

impl<'a> Flow<'a> {
    fn add_scope(&mut self, scope: &'a Scope, object: &'a Value, pointer: String) -> usize {
        let id = self.scopes.len();
        self.scopes.push(ScopeInfo {
            pointer: pointer.clone(),
            start: 0,
            nodes: Vec::new(),
        });
        self.index.push(Vec::new());
        let mut ids = Vec::new();
        for state in &scope.states {
            let state_pointer = format!("{pointer}/States/{}", pointer_segment(&state.name));
            let object = &object["States"][&state.name];
            ids.push(self.nodes.len());
            self.nodes.push(Node {
                state,
                object,
                pointer: state_pointer,
                scope: id,
            });
            self.children.push(Vec::new());
        }
        self.scopes[id].start = ids.get(scope.start).copied().unwrap_or(0);
        self.scopes[id].nodes = ids.clone();
        self.index[id] = ids.clone();
        for (state, node) in scope.states.iter().zip(ids) {
            let at = self.nodes[node].pointer.clone();
            match &state.kind {
                Kind::Parallel { branches } => {
                    for (i, branch) in branches.iter().enumerate() {
                        let object = &self.nodes[node].object["Branches"][i];
                        let child = self.add_scope(branch, object, format!("{at}/Branches/{i}"));
                        self.children[node].push(child);
                    }
                }
                Kind::Map(map) => {
                    let key = if self.nodes[node].object.get("Iterator").is_some() {
                        "Iterator"
                    } else {
                        "ItemProcessor"
                    };
                    let object = &self.nodes[node].object[key];
                    let child = self.add_scope(&map.processor, object, format!("{at}/{key}"));
                    self.children[node].push(child);
                }
                _ => {}
            }
        }
        id
    }

    /// The step of a Task state that reads its input as it arrives (no `InputPath`, `Parameters` or `Arguments`).
    fn step_reading_input(&self, node: &Node) -> Option<&'a Path> {
        let state = node.state;
        let Kind::Task(_) = state.kind else {
            return None;
        };
        let reads_input = match state.language {
            QueryLanguage::JsonPath => {
                matches!(state.input_path, Io::Whole) && state.parameters.is_none()
            }
            QueryLanguage::Jsonata => state.jsonata.as_ref().is_none_or(|j| j.arguments.is_none()),
        };
        reads_input.then(|| self.steps.get(&state.name)).flatten()
    }

    fn arrive(&mut self, node: usize, shape: Shape, via: String) {
        if shape.depth() > MAX_SHAPE_DEPTH {
            return;
        }
        let arrivals = &mut self.arrivals[node];
        if arrivals.len() >= MAX_SHAPES_PER_STATE
            || arrivals
                .iter()
                .any(|a| a.via == via && a.shape.key() == shape.key())
        {
            return;
        }
        arrivals.push(Arrival { shape, via });
        self.changed = true;
    }

    fn set_output(&mut self, node: usize, shapes: Vec<Shape>) {
        for shape in shapes {
            let outputs = &mut self.outputs[node];
            if outputs.len() < MAX_SHAPES_PER_STATE
                && !outputs.iter().any(|o| o.key() == shape.key())
            {
                outputs.push(shape);
                self.changed = true;
            }
        }
    }

    fn make_opaque_in(&mut self, node: usize) {
        if !self.opaque_in[node] {
            self.opaque_in[node] = true;
            self.changed = true;
        }
    }

    /// Whether a scope may end with data of an unknown type.
    fn scope_opaque(&self, scope: usize) -> bool {
        self.scopes[scope]
            .nodes
            .iter()
            .any(|&node| ends_scope(self.nodes[node].state) && self.opaque_out[node])
    }

    /// The machine's output type: the one shape its ending states leave, if no way to the end loses the type.
    fn machine_output(&self) -> Option<Shape> {
        if self.scopes.is_empty() || self.scope_opaque(0) {
            return None;
        }
        let mut shapes = self.scope_output(0);
        (shapes.len() == 1).then(|| shapes.remove(0))
    }

    fn node_of(&self, scope: usize, index: usize) -> usize {
        self.index[scope][index]
    }

    /// What a scope ends with: the outputs of its states that end it.
    fn scope_output(&self, scope: usize) -> Vec<Shape> {
        let mut shapes: Vec<Shape> = Vec::new();
        for &node in &self.scopes[scope].nodes {
            if ends_scope(self.nodes[node].state) {
                for shape in &self.outputs[node] {
                    if !shapes.iter().any(|s| s.key() == shape.key()) {
                        shapes.push(shape.clone());
                    }
                }
            }
        }
        shapes
    }

    fn scope_of_child(&self, parent: usize, nth: usize) -> Option<usize> {
        self.children[parent].get(nth).copied()
    }

    fn visit(&mut self, id: usize) {
        let node = &self.nodes[id];
        let state = node.state;
        let at = node.pointer.clone();
        let scope = node.scope;
        let arriving: Vec<Shape> = self.arrivals[id].iter().map(|a| a.shape.clone()).collect();
        let jsonata = state.language == QueryLanguage::Jsonata;
        let opaque_in = self.opaque_in[id];
        let input_opaque = opaque_in || (!jsonata && !matches!(state.input_path, Io::Whole));
        // The effective input, after `InputPath`.
        let input = if jsonata || matches!(state.input_path, Io::Whole) {
            arriving.clone()
        } else {
            Vec::new()
        };
        let takes_arguments = if jsonata {
            state
                .jsonata
                .as_ref()
                .is_some_and(|j| j.arguments.is_some())
        } else {
            state.parameters.is_some()
        };
        let result_opaque = match &state.kind {
            Kind::Task(_) => {
                !(self.steps.contains_key(&state.name) && state.result_selector.is_none())
            }
            Kind::Pass { result } => result.is_some() || takes_arguments || input_opaque,
            Kind::Choice { .. } | Kind::Wait(_) | Kind::Succeed => input_opaque,
            Kind::Fail { .. } => false,
            Kind::Parallel { branches } => {
                let mut opaque = state.result_selector.is_some();
                for nth in 0..branches.len() {
                    if let Some(branch) = self.scope_of_child(id, nth) {
                        if takes_arguments || input_opaque {
                            let start = self.scopes[branch].start;
                            self.make_opaque_in(start);
                        }
                        opaque |= self.scope_opaque(branch);
                    }
                }
                opaque
            }
            Kind::Map(map) => match self.scope_of_child(id, 0) {
                Some(processor) => {
                    let whole_items = if jsonata {
                        map.items_jsonata.is_none() && map.item_selector_jsonata.is_none()
                    } else {
                        matches!(map.items_path, Io::Whole) && map.item_selector.is_none()
                    };
                    if !whole_items || map.item_reader || map.batcher.is_some() || input_opaque {
                        let start = self.scopes[processor].start;
                        self.make_opaque_in(start);
                    }
                    state.result_selector.is_some()
                        || map.distributed
                        || self.scope_opaque(processor)
                }
                None => true,
            },
        };
        let output_opaque = self.place_opaque(state, opaque_in, result_opaque);
        if output_opaque && !self.opaque_out[id] {
            self.opaque_out[id] = true;
            self.changed = true;
        }
        let result: Vec<Shape> = match &state.kind {
            Kind::Task(_) => match self.steps.get(&state.name) {
                Some(step) if state.result_selector.is_none() => vec![Shape::Output {
                    step: step.clone(),
                    state: state.name.clone(),
                }],
                _ => Vec::new(),
            },
            Kind::Pass { result } => {
                if result.is_some() || takes_arguments {
                    Vec::new()
                } else {
                    input.clone()
                }
            }
            Kind::Choice { .. } | Kind::Wait(_) | Kind::Succeed => input.clone(),
            Kind::Fail { .. } => Vec::new(),
            Kind::Parallel { branches } => {
                let mut outputs = Vec::new();
                for nth in 0..branches.len() {
                    let Some(branch) = self.scope_of_child(id, nth) else {
                        continue;
                    };
                    if !takes_arguments {
                        let start = self.scopes[branch].start;
                        let via = format!("{}/StartAt", self.scopes[branch].pointer);
                        for shape in &input {
                            self.arrive(start, shape.clone(), via.clone());
                        }
                    }
                    outputs.push(self.scope_output(branch));
                }
                if state.result_selector.is_some() {
                    Vec::new()
                } else {
                    combinations(&outputs)
                        .into_iter()
                        .map(|of| Shape::Branches {
                            of,
                            parallel: state.name.clone(),
                        })
                        .collect()
                }
            }
            Kind::Map(map) => {
                let Some(processor) = self.scope_of_child(id, 0) else {
                    return;
                };
                let whole_items = if jsonata {
                    map.items_jsonata.is_none() && map.item_selector_jsonata.is_none()
                } else {
                    matches!(map.items_path, Io::Whole) && map.item_selector.is_none()
                };
                if whole_items && !map.item_reader && map.batcher.is_none() {
                    let start = self.scopes[processor].start;
                    let via = format!("{}/StartAt", self.scopes[processor].pointer);
                    for shape in &input {
                        let item = Shape::Item {
                            of: Box::new(shape.clone()),
                            map: state.name.clone(),
                        };
                        self.arrive(start, item, via.clone());
                    }
                }
                if state.result_selector.is_some() || map.distributed {
                    Vec::new()
                } else {
                    self.scope_output(processor)
                        .into_iter()
                        .map(|of| Shape::Results {
                            of: Box::new(of),
                            map: state.name.clone(),
                        })
                        .collect()
                }
            }
        };
        let output = self.place(state, &arriving, result);
        self.set_output(id, output.clone());
        let transitions: Vec<(usize, String)> = match &state.kind {
            Kind::Choice { choices, default } => {
                // A JSONata rule's own `Output` replaces what its target receives.
                let mut targets: Vec<(usize, String)> = choices
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.jsonata.as_ref().is_none_or(|j| j.output.is_none()))
                    .map(|(i, c)| (c.next, format!("{at}/Choices/{i}/Next")))
                    .collect();
                targets.extend(default.map(|d| (d, format!("{at}/Default"))));
                targets
            }
            _ => state
                .next
                .map(|n| (n, format!("{at}/Next")))
                .into_iter()
                .collect(),
        };
        if let Kind::Choice { choices, .. } = &state.kind {
            // A JSONata rule's `Output` sends its target data of a type not known here.
            for choice in choices {
                if choice.jsonata.as_ref().is_some_and(|j| j.output.is_some()) {
                    let target = self.node_of(scope, choice.next);
                    self.make_opaque_in(target);
                }
            }
        }
        for (target, via) in transitions {
            let target = self.node_of(scope, target);
            if output_opaque {
                self.make_opaque_in(target);
            }
            for shape in &output {
                self.arrive(target, shape.clone(), via.clone());
            }
        }
        for (i, catcher) in state.catch.iter().enumerate() {
            let target = self.node_of(scope, catcher.next);
            let via = format!("{at}/Catch/{i}/Next");
            let catch_opaque = if jsonata {
                catcher.jsonata.as_ref().is_some_and(|j| j.output.is_some())
            } else {
                match &catcher.result_path {
                    Io::Whole => false,
                    Io::Null => opaque_in,
                    Io::Path(_) => true,
                }
            };
            if catch_opaque {
                self.make_opaque_in(target);
            }
            let shapes = if jsonata {
                let outputs = catcher.jsonata.as_ref().is_some_and(|j| j.output.is_some());
                if outputs {
                    Vec::new()
                } else {
                    vec![Shape::Caught {
                        state: state.name.clone(),
                    }]
                }
            } else {
                match &catcher.result_path {
                    Io::Whole => vec![Shape::Caught {
                        state: state.name.clone(),
                    }],
                    Io::Null => arriving.clone(),
                    Io::Path(_) => Vec::new(),
                }
            };
            for shape in shapes {
                self.arrive(target, shape, via.clone());
            }
        }
    }

    /// Whether the state's output may be of a type not known here, as [`Flow::place`] places it.
    fn place_opaque(&self, state: &State, opaque_in: bool, result_opaque: bool) -> bool {
        let has_result_path = matches!(
            state.kind,
            Kind::Task(_) | Kind::Pass { .. } | Kind::Parallel { .. } | Kind::Map(_)
        );
        if state.language == QueryLanguage::Jsonata {
            return result_opaque || state.jsonata.as_ref().is_some_and(|j| j.output.is_some());
        }
        if !has_result_path {
            return result_opaque || !matches!(state.output_path, Io::Whole);
        }
        match (&state.result_path, &state.output_path) {
            (Io::Whole, Io::Whole) => result_opaque,
            (Io::Null, Io::Whole) => opaque_in,
            (Io::Path(result_at), Io::Path(output_at)) if result_at.text == output_at.text => {
                result_opaque
            }
            _ => true,
        }
    }

    /// The state's output from its raw input and its result, as `ResultPath` and `OutputPath` (or JSONata's
    /// `Output`) place them; empty where the type is not known.
    fn place(&self, state: &State, input: &[Shape], result: Vec<Shape>) -> Vec<Shape> {
        let has_result_path = matches!(
            state.kind,
            Kind::Task(_) | Kind::Pass { .. } | Kind::Parallel { .. } | Kind::Map(_)
        );
        if state.language == QueryLanguage::Jsonata {
            let outputs = state.jsonata.as_ref().is_some_and(|j| j.output.is_some());
            return if outputs { Vec::new() } else { result };
        }
        if !has_result_path {
            // Choice, Wait, Succeed: the result is the effective input; only `OutputPath` applies.
            return match state.output_path {
                Io::Whole => result,
                _ => Vec::new(),
            };
        }
        match (&state.result_path, &state.output_path) {
            (Io::Whole, Io::Whole) => result,
            (Io::Null, Io::Whole) => input.to_vec(),
            // `ResultPath: "$.x"` with `OutputPath: "$.x"` passes on the result alone.
            (Io::Path(result_at), Io::Path(output_at)) if result_at.text == output_at.text => {
                result
            }
            _ => Vec::new(),
        }
    }
}

/// Whether the state ends its scope (its output is the scope's): no `Next`, and not a Choice or a Fail.
fn ends_scope(state: &State) -> bool {
    state.next.is_none() && !matches!(state.kind, Kind::Choice { .. } | Kind::Fail { .. })
}

/// Every way to pick one output from each branch, in order (at most [`MAX_SHAPES_PER_STATE`]); none if a branch's
/// output is unknown.
fn combinations(branches: &[Vec<Shape>]) -> Vec<Vec<Shape>> {
    let mut all: Vec<Vec<Shape>> = vec![Vec::new()];
    for outputs in branches {
        let mut next = Vec::new();
        for prefix in &all {
            for shape in outputs {
                if next.len() < MAX_SHAPES_PER_STATE {
                    let mut combination = prefix.clone();
                    combination.push(shape.clone());
                    next.push(combination);
                }
            }
        }
        all = next;
    }
    if branches.is_empty() {
        Vec::new()
    } else {
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn steps(names: &[&str]) -> HashMap<String, Path> {
        names
            .iter()
            .map(|name| {
                (
                    name.to_string(),
                    syn::parse_str(&name.to_lowercase()).unwrap(),
                )
            })
            .collect()
    }

    fn edges(
        document: &Value,
        steps: &HashMap<String, Path>,
        span_of: impl Fn(&str) -> Span,
    ) -> Vec<Edge> {
        analyse(document, steps, span_of).edges
    }

    /// The workflow's output type's key, if the analysis knows it.
    fn output(document: &Value, names: &[&str]) -> Option<String> {
        analyse(document, &steps(names), |_| Span::call_site())
            .output
            .map(|shape| shape.key())
    }

    #[test]
    fn the_output_type_is_known_only_when_every_way_to_the_end_keeps_it() {
        // The last step's output, through a Choice and a Succeed.
        let document = json!({"StartAt": "A", "States": {
            "A": task(Some("C")),
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "B"}], "Default": "Done"},
            "B": task(Some("Done")),
            "Done": {"Type": "Succeed"}}});
        // Two ways to the end with two types: not one type.
        assert_eq!(output(&document, &["A", "B"]), None);
        let document = json!({"StartAt": "A", "States": {"A": task(Some("B")), "B": task(None)}});
        assert_eq!(output(&document, &["A", "B"]), Some("out(B)".into()));
        // A Pass with Parameters at the end: JSON.
        let document = json!({"StartAt": "A", "States": {
            "A": task(Some("P")),
            "P": {"Type": "Pass", "Parameters": {"x.$": "$.y"}, "End": true}}});
        assert_eq!(output(&document, &["A"]), None);
        // A ResultPath into the input: JSON.
        let document = json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "${F}", "ResultPath": "$.a", "End": true}}});
        assert_eq!(output(&document, &["A"]), None);
        // A catch that passes the input on (ResultPath null) to an end: the input is JSON, so not known.
        let document = json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "${F}", "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "Done"}], "Next": "Done"},
            "Done": {"Type": "Succeed"}}});
        assert_eq!(output(&document, &["A"]), None);
        // A Pass without fields after the first state passes the execution's input: not known.
        let document = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
        assert_eq!(output(&document, &["A"]), None);
        // A Map over a step's output: a Vec of the processor's last step.
        let document = json!({"StartAt": "A", "States": {
            "A": task(Some("M")),
            "M": {"Type": "Map", "ItemProcessor": {"StartAt": "B", "States": {"B": task(None)}}, "End": true}}});
        assert_eq!(
            output(&document, &["A", "B"]),
            Some("results(M,out(B))".into())
        );
    }

    fn kinds(edges: &[Edge]) -> Vec<(String, String)> {
        edges
            .iter()
            .map(|edge| (edge.from.key(), edge.to_state.clone()))
            .collect()
    }

    fn task(next: Option<&str>) -> Value {
        match next {
            Some(next) => json!({"Type": "Task", "Resource": "${F}", "Next": next}),
            None => json!({"Type": "Task", "Resource": "${F}", "End": true}),
        }
    }

    #[test]
    fn the_data_reaches_every_target_of_a_choice_and_loops_back() {
        let document = json!({"StartAt": "A", "States": {
            "A": task(Some("C")),
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "A"}], "Default": "B"},
            "B": task(None),
        }});
        let edges = edges(&document, &steps(&["A", "B"]), |_| Span::call_site());
        assert_eq!(
            kinds(&edges),
            [("out(A)".into(), "A".into()), ("out(A)".into(), "B".into())]
        );
    }

    #[test]
    fn a_result_path_into_the_input_ends_the_check_unless_the_output_path_takes_it_back() {
        let document = json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "${F}", "ResultPath": "$.r", "Next": "B"},
            "B": {"Type": "Task", "Resource": "${F}", "ResultPath": "$.r", "OutputPath": "$.r", "Next": "C"},
            "C": task(None),
        }});
        let edges = edges(&document, &steps(&["A", "B", "C"]), |_| Span::call_site());
        assert_eq!(kinds(&edges), [("out(B)".into(), "C".into())]);
    }

    #[test]
    fn catchers_pass_the_error_or_with_result_path_null_the_input() {
        let document = json!({"StartAt": "A", "States": {
            "A": task(Some("B")),
            "B": {"Type": "Task", "Resource": "${F}", "End": true, "Catch": [
                {"ErrorEquals": ["X"], "Next": "C"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "D"},
            ]},
            "C": task(None),
            "D": task(None),
        }});
        let edges = edges(&document, &steps(&["A", "B", "C", "D"]), |_| {
            Span::call_site()
        });
        assert_eq!(
            kinds(&edges),
            [
                ("out(A)".into(), "B".into()),
                ("caught".into(), "C".into()),
                ("out(A)".into(), "D".into())
            ]
        );
    }

    /// A random machine: `count` states per scope, each a step, Pass, Choice, Parallel or Map whose transitions
    /// point anywhere in the scope (loops included), nested up to `depth`.
    fn machine(seed: &[u8], depth: usize, prefix: &str) -> (Value, Vec<String>) {
        let count = 1 + seed.first().copied().unwrap_or(0) as usize % 5;
        let mut states = serde_json::Map::new();
        let mut step_names = Vec::new();
        for i in 0..count {
            let byte = seed.get(i + 1).copied().unwrap_or(0) as usize;
            let name = format!("{prefix}S{i}");
            // A chain to the end, with back edges from Choice rules and catchers: every state runs and can finish.
            let next = if i + 1 < count {
                format!("{prefix}S{}", i + 1)
            } else {
                format!("{prefix}End")
            };
            let anywhere = format!("{prefix}S{}", byte % count);
            let rest = seed.get(i + 2..).unwrap_or_default();
            let state = match (byte / 7) % 5 {
                0 => {
                    step_names.push(name.clone());
                    json!({"Type": "Task", "Resource": "${F}", "Next": next,
                           "Catch": [{"ErrorEquals": ["States.ALL"], "Next": anywhere}]})
                }
                1 => json!({"Type": "Pass", "Next": next}),
                2 => {
                    json!({"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": anywhere}],
                            "Default": next})
                }
                3 if depth > 0 => {
                    let (a, mut a_steps) = machine(rest, depth - 1, &format!("{name}a"));
                    let (b, b_steps) = machine(
                        rest.get(1..).unwrap_or_default(),
                        depth - 1,
                        &format!("{name}b"),
                    );
                    a_steps.extend(b_steps);
                    step_names.extend(a_steps);
                    json!({"Type": "Parallel", "Branches": [a, b], "Next": next})
                }
                4 if depth > 0 => {
                    let (processor, processor_steps) =
                        machine(rest, depth - 1, &format!("{name}m"));
                    step_names.extend(processor_steps);
                    json!({"Type": "Map", "ItemProcessor": processor, "Next": next})
                }
                _ => json!({"Type": "Wait", "Seconds": 1, "Next": next}),
            };
            states.insert(name, state);
        }
        states.insert(format!("{prefix}End"), json!({"Type": "Succeed"}));
        (
            json!({"StartAt": format!("{prefix}S0"), "States": states}),
            step_names,
        )
    }

    /// The generator is only worth its cases if most of its machines validate and many carry typed edges.
    #[test]
    fn the_random_machines_mostly_validate() {
        let (mut valid, mut with_edges) = (0, 0);
        for n in 0u32..200 {
            let seed: Vec<u8> = (0..40u32)
                .map(|i| (n.wrapping_mul(2654435761).wrapping_add(i * 97) >> 7) as u8)
                .collect();
            let (document, names) = machine(&seed, 3, "");
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            valid += usize::from(Definition::from_document(document.clone()).is_ok());
            with_edges +=
                usize::from(!edges(&document, &steps(&names), |_| Span::call_site()).is_empty());
        }
        assert!(valid > 100, "{valid} of 200 validate");
        assert!(with_edges > 40, "{with_edges} of 200 have typed edges");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Loops through Parallel and Map states would nest tuples and lists without end; the analysis stops at
        /// its bounds, on every machine.
        #[test]
        fn every_machine_settles_within_bounds(seed in proptest::collection::vec(any::<u8>(), 1..64)) {
            let (document, names) = machine(&seed, 3, "");
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let map = steps(&names);
            let found = edges(&document, &map, |_| Span::call_site());
            prop_assert!(found.len() <= map.len() * MAX_SHAPES_PER_STATE);
            for edge in &found {
                prop_assert!(edge.from.depth() <= MAX_SHAPE_DEPTH);
            }
        }
    }
}
