//! Render a state machine as a [Mermaid](https://mermaid.js.org) flowchart.
//!
//! `stepfn graph` and the example binaries print [`mermaid`]'s output so that a workflow can be looked at, not
//! just read: paste it into a ```` ```mermaid ```` block of a GitHub README, issue or pull request and GitHub draws
//! it. The drawing is for people; nothing parses it back.
//!
//! How the diagram reads:
//!
//! - every state is one node, labelled with its name and, on a second line, its type (and a short `retry:` note
//!   when it has a `Retry`); a Choice is a rhombus, Succeed and Fail are rounded, everything else a rectangle;
//! - solid arrows are `Next`, `Default` (labelled `default`) and the Choice rules (labelled with their condition);
//!   dotted arrows are failures: `Catch` (labelled with the error names) and a Fail state's way out (labelled
//!   with its error);
//! - the machine runs from `start` to `end`;
//! - a Parallel state is a box holding one box per branch, a Map state a box holding its item processor; inside,
//!   `start` leads to the `StartAt` states and the terminal states (and a Fail's error) lead to `end`, after
//!   which the Parallel or Map state goes on to its own `Next`, or to its `Catch`.
//!
//! Node ids are generated (`s0`, `s1`, … in document order, nested states included), so any state name is safe;
//! names and conditions are escaped for Mermaid's quoted labels. The input is expected to have passed
//! [`validate_document`](crate::validate_document), but anything malformed is skipped rather than panicked on.

use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;

/// Longest condition, error list or retry note shown, in characters; longer ones end with `…`.
const MAX_NOTE_CHARS: usize = 60;

/// Mermaid id of the machine's start node.
const START_ID: &str = "begin";
/// Mermaid id of the machine's end node (`end` itself is a Mermaid keyword).
const END_ID: &str = "finish";

/// Renders the state machine `definition` (an Amazon States Language document) as a Mermaid `flowchart TD`.
///
/// ```
/// let definition = serde_json::json!({
///     "StartAt": "Hello",
///     "States": { "Hello": { "Type": "Pass", "End": true } }
/// });
/// let chart = stepfn_asl::graph::mermaid(&definition);
/// assert!(chart.starts_with("flowchart TD\n"));
/// assert!(chart.contains(r#"s0["Hello<br/>Pass"]"#));
/// assert!(chart.contains("s0 --> finish"));
/// ```
pub fn mermaid(definition: &Value) -> String {
    let mut next_id = 0;
    let machine = Scope::build(definition, &mut next_id);
    let mut out = String::from("flowchart TD\n");
    line(&mut out, 1, &format!("{START_ID}((\"start\"))"));
    machine.write_nodes(&mut out, 1);
    line(&mut out, 1, &format!("{END_ID}((\"end\"))"));
    machine.write_edges(&mut out, START_ID, END_ID);
    out
}

/// What an execution did in a state, for [`mermaid_marked`] and [`outline`]: the marks a watched execution ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    /// Entered and left normally (after retries, if any).
    Ran,
    /// Entered and not left yet: the execution is still in it.
    Running,
    /// Failed, and a `Catch` took the error on to another state.
    Caught,
    /// Where the execution failed: the error was not caught (or a Fail state), or the execution stopped in it.
    Failed,
}

impl Mark {
    /// The word a person reads: `ran`, `running`, `caught`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Ran => "ran",
            Mark::Running => "running",
            Mark::Caught => "caught",
            Mark::Failed => "failed",
        }
    }

    /// The one-character sign [`outline`] puts before the state.
    pub fn sign(self) -> char {
        match self {
            Mark::Ran => '✓',
            Mark::Running => '…',
            Mark::Caught => '↪',
            Mark::Failed => '✗',
        }
    }
}

/// What one state did: its [`Mark`] and how many times its task was retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateMark {
    pub mark: Mark,
    pub retries: u32,
}

/// [`mermaid`] with each state that ran coloured by its [`Mark`] (`classDef ran`, `caught`, `failed`, `running`;
/// states that did not run keep Mermaid's default style), for pasting into an issue or pull request.
pub fn mermaid_marked(definition: &Value, marks: &HashMap<String, StateMark>) -> String {
    let mut next_id = 0;
    let machine = Scope::build(definition, &mut next_id);
    let mut out = mermaid(definition);
    let mut classes: Vec<(Mark, Vec<String>)> = Vec::new();
    machine.each_state(&mut |state| {
        if let Some(mark) = marks.get(state.name) {
            match classes.iter_mut().find(|(m, _)| *m == mark.mark) {
                Some((_, ids)) => ids.push(state.id.clone()),
                None => classes.push((mark.mark, vec![state.id.clone()])),
            }
        }
    });
    classes.sort();
    // Written directly, not through `line`: these are the colour statements `line` guards labels against.
    for (mark, style) in [
        (Mark::Ran, "fill:#d4edda,stroke:#28a745"),
        (Mark::Running, "fill:#fff3cd,stroke:#ffc107"),
        (Mark::Caught, "fill:#ffe5b4,stroke:#fd7e14"),
        (Mark::Failed, "fill:#f8d7da,stroke:#dc3545"),
    ] {
        if classes.iter().any(|(m, _)| *m == mark) {
            let _ = writeln!(out, "    classDef {} {style};", mark.as_str());
        }
    }
    for (mark, ids) in classes {
        let _ = writeln!(out, "    class {} {};", ids.join(","), mark.as_str());
    }
    out
}

/// The states as an indented plain-text list, for a terminal: one line per state in document order (a Parallel's
/// branches and a Map's item processor indented under it), each with its sign (`✓` ran, `↪` caught, `✗` failed,
/// `…` running, `·` did not run), name, type, what happened, retries, and where it goes next.
///
/// ```
/// use std::collections::HashMap;
/// use stepfn_asl::graph::{outline, Mark, StateMark};
/// let definition = serde_json::json!({
///     "StartAt": "A",
///     "States": { "A": { "Type": "Pass", "Next": "B" }, "B": { "Type": "Succeed" } }
/// });
/// let marks = HashMap::from([("A".to_owned(), StateMark { mark: Mark::Ran, retries: 0 })]);
/// let text = outline(&definition, &marks);
/// assert!(text.contains("✓ A"), "{text}");
/// assert!(text.contains("· B"), "{text}");
/// ```
pub fn outline(definition: &Value, marks: &HashMap<String, StateMark>) -> String {
    let mut next_id = 0;
    let machine = Scope::build(definition, &mut next_id);
    let mut out = String::new();
    machine.write_outline(&mut out, 1, marks);
    out
}

/// The states and transitions as data, for drawing by a layout engine (the console lays this out with ELK):
/// `{"states": [...], "edges": [...], "start": ID}` per scope, each state
/// `{"id", "name", "type", "note", "distributed", "branches": [scope, ...]}` (a Parallel's branches, a Map's item
/// processor as its one branch; `distributed` for a Map whose iterations run as child executions), each edge `{"from", "to", "kind", "label"}` with `kind` one of `next`, `choice`, `default`,
/// `catch`, and `to` `null` where a state ends its scope (`End`, Succeed, Fail). Ids are those of [`mermaid`].
///
/// ```
/// let definition = serde_json::json!({
///     "StartAt": "A",
///     "States": { "A": { "Type": "Pass", "Next": "B" }, "B": { "Type": "Succeed" } }
/// });
/// let graph = stepfn_asl::graph::layout_data(&definition);
/// assert_eq!(graph["start"], "s0");
/// assert_eq!(graph["states"][1]["name"], "B");
/// assert_eq!(graph["edges"][0], serde_json::json!({"from": "s0", "to": "s1", "kind": "next", "label": null}));
/// ```
pub fn layout_data(definition: &Value) -> Value {
    let mut next_id = 0;
    Scope::build(definition, &mut next_id).layout_data()
}

impl Scope<'_> {
    fn layout_data(&self) -> Value {
        let mut edges = Vec::new();
        let mut push = |from: &str, to: Option<&str>, kind: &str, label: Option<String>| {
            edges.push(serde_json::json!({"from": from, "to": to, "kind": kind, "label": label}));
        };
        let states: Vec<Value> = self
            .states
            .iter()
            .map(|state| {
                let from = state.id.as_str();
                let target = |key: &str| self.id(state.body.get(key).and_then(Value::as_str));
                if state.kind() == Some("Choice") {
                    let rules = state.body.get("Choices").and_then(Value::as_array);
                    for (i, rule) in rules.into_iter().flatten().enumerate() {
                        if let Some(to) = self.id(rule.get("Next").and_then(Value::as_str)) {
                            let label =
                                condition(rule).unwrap_or_else(|| format!("rule {}", i + 1));
                            push(from, Some(to), "choice", Some(shorten(&label)));
                        }
                    }
                    if let Some(to) = target("Default") {
                        push(from, Some(to), "default", Some("default".to_owned()));
                    }
                }
                if let Some(to) = target("Next") {
                    push(from, Some(to), "next", None);
                }
                let ends = state.body.get("End") == Some(&Value::Bool(true))
                    || matches!(state.kind(), Some("Succeed" | "Fail"));
                if ends {
                    push(from, None, "next", None);
                }
                for catcher in state
                    .body
                    .get("Catch")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(to) = self.id(catcher.get("Next").and_then(Value::as_str)) {
                        push(from, Some(to), "catch", Some(shorten(&error_list(catcher))));
                    }
                }
                serde_json::json!({
                    "id": state.id,
                    "name": state.name,
                    "type": state.kind(),
                    "note": retry_policy(state.body),
                    "distributed": state
                        .body
                        .get("ItemProcessor")
                        .and_then(|p| p.get("ProcessorConfig"))
                        .and_then(|c| c.get("Mode"))
                        .is_some_and(|mode| mode == "DISTRIBUTED"),
                    "branches": state.children.iter().map(Scope::layout_data).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::json!({"states": states, "edges": edges, "start": self.id(self.start_at)})
    }
}

/// A state's `Retry` as a policy, not a count of what happened: `retries States.Timeout (up to 2)`.
fn retry_policy(body: &Map<String, Value>) -> Option<String> {
    retry_text(body, "retries", |errors, attempts| {
        format!("{errors} (up to {attempts})")
    })
}

/// The states of one machine, branch or item processor, with their generated ids.
struct Scope<'a> {
    start_at: Option<&'a str>,
    states: Vec<State<'a>>,
    ids: HashMap<&'a str, String>,
}

/// One state: its name, its JSON, its id and, for Parallel and Map, the scopes it runs.
struct State<'a> {
    id: String,
    name: &'a str,
    body: &'a Map<String, Value>,
    children: Vec<Scope<'a>>,
}

impl<'a> Scope<'a> {
    /// Numbers the states of `definition` (and of the scopes inside them) in document order from `next_id`.
    fn build(definition: &'a Value, next_id: &mut usize) -> Self {
        let mut scope = Scope {
            start_at: definition.get("StartAt").and_then(Value::as_str),
            states: Vec::new(),
            ids: HashMap::new(),
        };
        let Some(states) = definition.get("States").and_then(Value::as_object) else {
            return scope;
        };
        for (name, body) in states {
            let Some(body) = body.as_object() else {
                continue;
            };
            let id = format!("s{next_id}");
            *next_id += 1;
            let children = nested_scopes(body)
                .into_iter()
                .map(|child| Scope::build(child, next_id))
                .collect();
            scope.ids.insert(name, id.clone());
            scope.states.push(State {
                id,
                name,
                body,
                children,
            });
        }
        scope
    }

    /// The id of the state called `name` in this scope, if there is one.
    fn id(&self, name: Option<&str>) -> Option<&str> {
        self.ids.get(name?).map(String::as_str)
    }

    fn write_nodes(&self, out: &mut String, depth: usize) {
        for state in &self.states {
            state.write_nodes(out, depth);
        }
    }

    /// Writes the edges of this scope: `entry` to the `StartAt` state, each state's transitions, and terminal
    /// states to `exit`; then the same inside every nested scope.
    fn write_edges(&self, out: &mut String, entry: &str, exit: &str) {
        if let Some(first) = self.id(self.start_at) {
            edge(out, entry, Arrow::Solid, None, first);
        }
        for state in &self.states {
            state.write_edges(self, out, exit);
            let (inner_entry, inner_exit) = (state.entry_id(), state.exit_id());
            for child in &state.children {
                child.write_edges(out, &inner_entry, &inner_exit);
            }
        }
    }
}

impl<'a> Scope<'a> {
    /// Calls `f` on every state, nested ones included, in document order.
    fn each_state(&self, f: &mut dyn FnMut(&State<'a>)) {
        for state in &self.states {
            f(state);
            for child in &state.children {
                child.each_state(f);
            }
        }
    }

    fn write_outline(&self, out: &mut String, depth: usize, marks: &HashMap<String, StateMark>) {
        let width = self
            .states
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0);
        for state in &self.states {
            let mark = marks.get(state.name);
            let sign = mark.map_or('·', |m| m.mark.sign());
            let mut text = format!(
                "{sign} {:<width$}  {:<8}",
                state.name,
                state.kind().unwrap_or("?")
            );
            let mut notes: Vec<String> = Vec::new();
            match mark {
                Some(mark) => notes.push(mark.mark.as_str().to_owned()),
                None => notes.push("not run".to_owned()),
            }
            match mark.map_or(0, |m| m.retries) {
                0 => {}
                1 => notes.push("1 retry".to_owned()),
                n => notes.push(format!("{n} retries")),
            }
            text.push_str(&format!("  {}", notes.join(", ")));
            let mut next: Vec<&str> = state
                .body
                .get("Choices")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(state.body.get("Default"))
                .filter_map(|rule| rule.get("Next").and_then(Value::as_str).or(rule.as_str()))
                .collect();
            next.extend(state.body.get("Next").and_then(Value::as_str));
            let mut seen = std::collections::HashSet::new();
            next.retain(|name| seen.insert(*name));
            if state.body.get("End") == Some(&Value::Bool(true)) {
                next.push("end");
            }
            if !next.is_empty() {
                text.push_str(&format!("  → {}", next.join(", ")));
            }
            let catches: Vec<&str> = state
                .body
                .get("Catch")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("Next").and_then(Value::as_str))
                .collect();
            if !catches.is_empty() {
                text.push_str(&format!("  catch → {}", catches.join(", ")));
            }
            let _ = writeln!(out, "{:indent$}{}", "", text.trim_end(), indent = depth * 2);
            let parallel = state.kind() == Some("Parallel");
            for (i, child) in state.children.iter().enumerate() {
                let title = if parallel {
                    format!("branch {}", i + 1)
                } else {
                    "each item".to_owned()
                };
                let _ = writeln!(out, "{:indent$}{title}:", "", indent = (depth + 2) * 2);
                child.write_outline(out, depth + 2, marks);
            }
        }
    }
}

impl State<'_> {
    fn kind(&self) -> Option<&str> {
        self.body.get("Type").and_then(Value::as_str)
    }

    /// The id of the node inside a Parallel or Map box that leads to the `StartAt` states.
    fn entry_id(&self) -> String {
        format!("{}_in", self.id)
    }

    /// The id of the node inside a Parallel or Map box that the terminal states lead to.
    fn exit_id(&self) -> String {
        format!("{}_out", self.id)
    }

    /// The label text: name, type and retry note, one per line.
    fn label(&self) -> String {
        let mut lines = vec![escape(self.name)];
        lines.extend(self.kind().map(escape));
        lines.extend(retry_note(self.body).map(|note| escape(&note)));
        lines.join("<br/>")
    }

    fn write_nodes(&self, out: &mut String, depth: usize) {
        let label = self.label();
        if !self.is_composite() {
            let (open, close) = match self.kind() {
                Some("Choice") => ("{", "}"),
                Some("Succeed" | "Fail") => ("([", "])"),
                _ => ("[", "]"),
            };
            line(out, depth, &format!("{}{open}\"{label}\"{close}", self.id));
            return;
        }
        line(out, depth, &format!("subgraph {}[\"{label}\"]", self.id));
        line(out, depth + 1, &format!("{}((\"start\"))", self.entry_id()));
        if self.kind() == Some("Parallel") {
            for (i, branch) in self.children.iter().enumerate() {
                let title = format!("branch {}", i + 1);
                write_branch(out, depth + 1, &format!("{}_b{i}", self.id), &title, branch);
            }
        } else {
            for processor in &self.children {
                processor.write_nodes(out, depth + 1);
            }
        }
        line(out, depth + 1, &format!("{}((\"end\"))", self.exit_id()));
        line(out, depth, "end");
    }

    /// A state drawn as a box of states rather than a single node: a Parallel or Map with something inside.
    fn is_composite(&self) -> bool {
        !self.children.is_empty()
    }

    /// Writes this state's outgoing edges; `exit` is where the scope's terminal states lead.
    fn write_edges(&self, scope: &Scope, out: &mut String, exit: &str) {
        let from = self.id.as_str();
        let target = |key: &str| scope.id(self.body.get(key).and_then(Value::as_str));
        match self.kind() {
            Some("Choice") => {
                let rules = self.body.get("Choices").and_then(Value::as_array);
                for (i, rule) in rules.into_iter().flatten().enumerate() {
                    if let Some(to) = scope.id(rule.get("Next").and_then(Value::as_str)) {
                        let label = condition(rule).unwrap_or_else(|| format!("rule {}", i + 1));
                        edge(out, from, Arrow::Solid, Some(&label), to);
                    }
                }
                if let Some(to) = target("Default") {
                    edge(out, from, Arrow::Solid, Some("default"), to);
                }
            }
            Some("Succeed") => edge(out, from, Arrow::Solid, None, exit),
            Some("Fail") => edge(out, from, Arrow::Dotted, fail_error(self.body), exit),
            _ => {}
        }
        if let Some(to) = target("Next") {
            edge(out, from, Arrow::Solid, None, to);
        }
        if self.body.get("End") == Some(&Value::Bool(true)) {
            edge(out, from, Arrow::Solid, None, exit);
        }
        for catcher in self
            .body
            .get("Catch")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(to) = scope.id(catcher.get("Next").and_then(Value::as_str)) {
                let errors = error_list(catcher);
                edge(out, from, Arrow::Dotted, Some(&errors), to);
            }
        }
    }
}

/// The scopes a state runs: a Parallel's branches, or a Map's `ItemProcessor` (or legacy `Iterator`).
fn nested_scopes(body: &Map<String, Value>) -> Vec<&Value> {
    match body.get("Type").and_then(Value::as_str) {
        Some("Parallel") => body
            .get("Branches")
            .and_then(Value::as_array)
            .map(|branches| branches.iter().collect())
            .unwrap_or_default(),
        Some("Map") => body
            .get("ItemProcessor")
            .or_else(|| body.get("Iterator"))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

fn write_branch(out: &mut String, depth: usize, id: &str, title: &str, branch: &Scope) {
    line(out, depth, &format!("subgraph {id}[\"{title}\"]"));
    branch.write_nodes(out, depth + 1);
    line(out, depth, "end");
}

#[derive(Clone, Copy)]
enum Arrow {
    Solid,
    Dotted,
}

/// Writes `from --> to`, with `label` (unescaped text, shortened and escaped here) on the arrow if given.
fn edge(out: &mut String, from: &str, arrow: Arrow, label: Option<&str>, to: &str) {
    let arrow = match arrow {
        Arrow::Solid => "-->",
        Arrow::Dotted => "-.->",
    };
    let text = match label {
        Some(label) => format!("{from} {arrow}|\"{}\"| {to}", escape(&shorten(label))),
        None => format!("{from} {arrow} {to}"),
    };
    line(out, 1, &text);
}

/// Writes `text` indented by `depth` levels.
///
/// Before parsing, Mermaid drops the last character of any line matching `style.*:\S*#.*;` or
/// `classDef.*:\S*#.*;` (meant for its colour statements), which can cut an entity code in a label short; colons
/// here are only ever label text, so on such a line they are written as `#58;`.
fn line(out: &mut String, depth: usize, text: &str) {
    let text = if text.contains("style") || text.contains("classDef") {
        Cow::Owned(text.replace(':', "#58;"))
    } else {
        Cow::Borrowed(text)
    };
    let _ = writeln!(out, "{:indent$}{text}", "", indent = depth * 4);
}

/// A Fail state's error: its `Error`, else its `ErrorPath`.
fn fail_error(body: &Map<String, Value>) -> Option<&str> {
    body.get("Error")
        .or_else(|| body.get("ErrorPath"))
        .and_then(Value::as_str)
}

/// A retrier's or catcher's `ErrorEquals`, comma-separated.
fn error_list(rule: &Value) -> String {
    let errors = rule.get("ErrorEquals").and_then(Value::as_array);
    let names: Vec<String> = errors.into_iter().flatten().map(plain).collect();
    if names.is_empty() {
        "error".to_owned()
    } else {
        names.join(", ")
    }
}

/// `retry: States.Timeout ×2; Lambda.Unknown ×3` for a state with `Retry` (MaxAttempts defaults to 3).
fn retry_note(body: &Map<String, Value>) -> Option<String> {
    retry_text(body, "retry:", |errors, attempts| {
        format!("{errors} ×{attempts}")
    })
}

/// `Retry` summarised, one part per retrier (its errors and `MaxAttempts`, 3 by default) after `lead`, shortened;
/// `None` without retriers.
fn retry_text(
    body: &Map<String, Value>,
    lead: &str,
    part: fn(&str, &str) -> String,
) -> Option<String> {
    let retriers = body.get("Retry")?.as_array()?;
    let parts: Vec<String> = retriers
        .iter()
        .map(|retrier| {
            let attempts = retrier
                .get("MaxAttempts")
                .map_or_else(|| "3".to_owned(), plain);
            part(&error_list(retrier), &attempts)
        })
        .collect();
    (!parts.is_empty()).then(|| shorten(&format!("{lead} {}", parts.join("; "))))
}

/// A short readable form of a Choice rule's condition, such as `$.total > 100000`, `IsPresent $.x` or
/// `not (...)`; a JSONata `Condition` as written. `None` when the rule has nothing recognisable.
fn condition(rule: &Value) -> Option<String> {
    let rule = rule.as_object()?;
    if let Some(expression) = rule.get("Condition") {
        return Some(plain(expression));
    }
    if let Some(inner) = rule.get("Not") {
        return Some(format!(
            "not ({})",
            condition(inner).unwrap_or_else(|| "?".into())
        ));
    }
    for (key, joiner) in [("And", " and "), ("Or", " or ")] {
        if let Some(parts) = rule.get(key).and_then(Value::as_array) {
            let parts: Vec<String> = parts.iter().map(operand).collect();
            return Some(parts.join(joiner));
        }
    }
    let variable = rule.get("Variable").map_or_else(|| "?".to_owned(), plain);
    rule.iter()
        .find_map(|(key, value)| comparison(&variable, key, value))
}

/// One part of an `And` or `Or`, in parentheses when it is itself an `And` or `Or`.
fn operand(rule: &Value) -> String {
    let text = condition(rule).unwrap_or_else(|| "?".into());
    if rule.get("And").is_some() || rule.get("Or").is_some() {
        format!("({text})")
    } else {
        text
    }
}

/// `variable op value` for a comparison or type-test operator `key`; `None` for any other field.
fn comparison(variable: &str, key: &str, value: &Value) -> Option<String> {
    const TESTS: [&str; 6] = [
        "IsNull",
        "IsPresent",
        "IsNumeric",
        "IsString",
        "IsBoolean",
        "IsTimestamp",
    ];
    if TESTS.contains(&key) {
        let negation = if value == &Value::Bool(false) {
            "not "
        } else {
            ""
        };
        return Some(format!("{negation}{key} {variable}"));
    }
    let (operator, is_path) = match key.strip_suffix("Path") {
        Some(operator) => (operator, true),
        None => (key, false),
    };
    let comparator = ["String", "Numeric", "Boolean", "Timestamp"]
        .iter()
        .find_map(|kind| operator.strip_prefix(kind))?;
    let symbol = match comparator {
        "Equals" => "==",
        "LessThan" => "<",
        "GreaterThan" => ">",
        "LessThanEquals" => "<=",
        "GreaterThanEquals" => ">=",
        "Matches" => "matches",
        _ => return None,
    };
    let value = if is_path {
        plain(value)
    } else {
        value.to_string()
    };
    Some(format!("{variable} {symbol} {value}"))
}

/// A string as it is, anything else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `text` cut to [`MAX_NOTE_CHARS`] characters, ending with `…` when cut.
fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_NOTE_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(MAX_NOTE_CHARS - 1).collect();
    short.push('…');
    short
}

/// `text` made safe inside a double-quoted Mermaid label: characters Mermaid or HTML would read are written as
/// Mermaid entity codes (`#quot;`, `#35;`, …), and line breaks and other control characters become spaces. (`>`
/// stays as it is: harmless in both, and conditions read better with it.)
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => escaped.push_str("#quot;"),
            '#' => escaped.push_str("#35;"),
            '&' => escaped.push_str("#amp;"),
            '<' => escaped.push_str("#lt;"),
            '|' => escaped.push_str("#124;"),
            '`' => escaped.push_str("#96;"),
            c if c.is_control() => escaped.push(' '),
            c => escaped.push(c),
        }
    }
    escaped
}
