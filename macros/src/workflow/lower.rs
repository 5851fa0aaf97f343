//! Lowering: the parsed workflow, plus what each step told us (its state name), becomes the ASL document as JSON,
//! a map from JSON pointers back to the user's tokens, the step-to-step edges whose types rustc must check, and the
//! error names each step's `Retry`/`Catch` expects. Then the shared validator of `stepfn_asl` checks the document,
//! and each problem it finds is reported at the token its pointer leads to.

use super::ast::{path_key, Chain, Decl, Node, StateName, TaskTarget, WorkflowInput};
use super::value::{Field, Fields, SubWorkflow, Value};
use proc_macro2::Span;
use serde_json::{json, Map};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use stepfn_asl::{state_pointer, Rule};
use syn::Path;

pub const STATE_TYPES: &str = "Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map";

/// What a step's resolver macro reported about it.
pub struct StepInfo {
    pub state_name: String,
    pub resource_key: String,
    /// The Rust function's name: the Lambda handler that serves the step.
    pub fn_name: String,
    /// The step's input type is written `serde_json::Value` (or `Value`): any JSON reaches it, so no type check.
    pub takes_any_json: bool,
}

pub use super::dataflow::Edge;

/// An error name that a `Retry` or `Catch` on a step expects the step's own error type to raise.
pub struct ExpectedError {
    pub step: Path,
    /// The step's state name, for the message.
    pub state: String,
    pub name: String,
    /// The Lambda or stepfn error name it is close to, if any: likely what was meant.
    pub suggestion: Option<&'static str>,
    pub span: Span,
}

pub struct Lowered {
    pub document: serde_json::Value,
    pub edges: Vec<Edge>,
    /// The workflow's output type, if the dataflow analysis knows it.
    pub output: Option<super::dataflow::Shape>,
    pub feeds: Vec<super::template_feeds::Feed>,
    pub expected_errors: Vec<ExpectedError>,
}

/// Where a node of a chain leads.
#[derive(Clone)]
enum Target {
    State(String, Span),
    End(Span),
}

/// The tokens behind a pointer: the key (for problems with the field itself) and the value.
#[derive(Clone, Copy)]
struct Tokens {
    key: Span,
    value: Span,
}

/// One state being built, in the scope that holds it.
struct Building<'a> {
    object: Map<String, serde_json::Value>,
    kind: String,
    step: Option<&'a Path>,
    origin: Option<String>,
    fields: Option<&'a Fields>,
}

struct Lowering<'a> {
    steps: HashMap<String, &'a StepInfo>,
    spans: BTreeMap<String, Tokens>,
    errors: Vec<syn::Error>,
    /// Every state name of the machine (names are unique across scopes) and the step path that made it, if any.
    names: HashMap<String, Option<String>>,
    /// Pointers of `Next` set by arrows: unknown targets there are reported at the reference, with a suggestion.
    arrow_pointers: BTreeSet<String>,
    /// Scopes whose first state was rejected: their missing `StartAt` is a consequence.
    scopes_without_start: BTreeSet<String>,
    /// Names whose declaration was rejected: references to them are not reported again.
    rejected: BTreeSet<String>,
    graph_incomplete: bool,
    /// The Task states that run a step, by state name (unique across the machine).
    step_states: HashMap<String, Path>,
    expected_errors: Vec<ExpectedError>,
}

pub fn lower(input: &WorkflowInput, steps: &[(&Path, StepInfo)]) -> Result<Lowered, syn::Error> {
    let mut lowering = Lowering {
        steps: steps
            .iter()
            .map(|(path, info)| (path_key(path), info))
            .collect(),
        spans: BTreeMap::new(),
        errors: Vec::new(),
        names: HashMap::new(),
        arrow_pointers: BTreeSet::new(),
        rejected: BTreeSet::new(),
        scopes_without_start: BTreeSet::new(),
        graph_incomplete: false,
        step_states: HashMap::new(),
        expected_errors: Vec::new(),
    };
    for field in &input.fields.entries {
        match field.key.as_str() {
            "StartAt" => lowering.error(
                field.key_span,
                "`StartAt` is implied: the workflow starts at the first state of its first chain; remove this field",
            ),
            "States" => lowering.error(
                field.key_span,
                "states are written after the header as chains (`a -> b -> end;`): remove this field",
            ),
            _ => {}
        }
    }
    let header: Vec<&Field> = input
        .fields
        .entries
        .iter()
        .filter(|f| !matches!(f.key.as_str(), "StartAt" | "States"))
        .collect();
    let document = lowering.scope("", &header, &input.chains, input.name.span());

    // The same gate as `stepfn validate` and the executor: the document must become the typed model.
    let mut problems = stepfn_asl::model::Definition::from_document(document.clone())
        .err()
        .unwrap_or_default();
    // What AWS accepts but would fail at run time (a variable read before it is assigned) is an error here too.
    if problems.is_empty() {
        problems = stepfn_asl::lint_document(&document);
    }
    // Knock-on problems (states a misspelt name or a closed loop keeps from running or finishing) are folded into
    // their cause by the same rule as `stepfn validate`; what follows is about this macro's own syntax.
    for problem in stepfn_asl::fold(&document, problems) {
        let consequence = matches!(
            problem.rule,
            Rule::Unreachable | Rule::NeverFinishes | Rule::NoTransition | Rule::LoopWithoutExit
        );
        let reported_at_reference = problem.rule == Rule::UnknownState
            && lowering.arrow_pointers.contains(&problem.pointer);
        let start_rejected = match problem.rule {
            Rule::MissingField => lowering.scopes_without_start.contains(&problem.pointer),
            Rule::NoStates => problem
                .pointer
                .strip_suffix("/States")
                .is_some_and(|scope| lowering.scopes_without_start.contains(scope)),
            _ => false,
        };
        if reported_at_reference || start_rejected || (consequence && lowering.graph_incomplete) {
            continue;
        }
        let span = lowering.span_of(&problem.pointer, problem.rule);
        let message = match problem.rule {
            Rule::NoTransition => {
                let name = problem
                    .pointer
                    .rsplit("/States/")
                    .next()
                    .unwrap_or_default();
                format!("state `{name}` has no way on: continue it with `-> NextState` or end the workflow with `-> end`")
            }
            _ => problem.message,
        };
        lowering.errors.push(syn::Error::new(span, message));
    }

    match std::mem::take(&mut lowering.errors)
        .into_iter()
        .reduce(|mut all, next| {
            all.combine(next);
            all
        }) {
        Some(errors) => Err(errors),
        None => {
            let analysis = super::dataflow::analyse(&document, &lowering.step_states, |pointer| {
                lowering.span_of(pointer, Rule::UnknownState)
            });
            let feeds = super::template_feeds::feeds(&document, &lowering.step_states);
            Ok(Lowered {
                document,
                edges: analysis.edges,
                output: analysis.output,
                feeds,
                expected_errors: lowering.expected_errors,
            })
        }
    }
}

impl<'a> Lowering<'a> {
    fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// An error in the shape of the graph itself: reachability problems would be its consequences.
    fn graph_error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.graph_incomplete = true;
        self.error(span, message);
    }

    /// A scope (the machine, a branch, an item processor): its fields, `StartAt`, and `States` from its chains.
    fn scope(
        &mut self,
        at: &str,
        fields: &[&'a Field],
        chains: &'a [Chain],
        anchor: Span,
    ) -> serde_json::Value {
        let mut object = Map::new();
        for field in fields {
            let value = self.json(
                &format!("{at}/{}", escape(&field.key)),
                &field.value,
                field.key_span,
            );
            object.insert(field.key.clone(), value);
        }
        let mut states: stepfn_asl::IndexMap<String, Building<'a>> = stepfn_asl::IndexMap::new();
        let targets: Vec<Vec<Option<Target>>> = chains
            .iter()
            .map(|chain| {
                chain
                    .nodes
                    .iter()
                    .map(|node| self.declare(at, node, &mut states))
                    .collect()
            })
            .collect();
        for targets in &targets {
            self.link(at, targets, &mut states);
        }
        self.check_references(chains, &states, !at.is_empty());
        match targets.first().and_then(|t| t.first()).cloned().flatten() {
            Some(Target::State(start, span)) => {
                object.insert("StartAt".into(), json!(start));
                self.record(format!("{at}/StartAt"), span, span);
            }
            Some(Target::End(span)) => self.graph_error(
                span,
                "a chain of states cannot start with `end`: start with a step or a state",
            ),
            None => {
                self.scopes_without_start.insert(at.to_owned());
            }
        }
        self.record(at.to_owned(), anchor, anchor);
        let mut built = Map::new();
        for (name, building) in states {
            self.collect_expected_errors(&building);
            let typed = building.step.filter(|step| {
                !self
                    .steps
                    .get(&path_key(step))
                    .is_some_and(|info| info.takes_any_json)
            });
            if let Some(step) = typed {
                self.step_states.insert(name.clone(), step.clone());
            }
            built.insert(name, serde_json::Value::Object(building.object));
        }
        object.insert("States".into(), serde_json::Value::Object(built));
        serde_json::Value::Object(object)
    }

    /// Declares the state a node stands for (once), and says where the node leads.
    fn declare(
        &mut self,
        at: &str,
        node: &'a Node,
        states: &mut stepfn_asl::IndexMap<String, Building<'a>>,
    ) -> Option<Target> {
        match node {
            Node::End(span) => Some(Target::End(*span)),
            Node::Ref(name) => Some(Target::State(name.value.clone(), name.span)),
            Node::Step { path, fields } => {
                let Some(info) = self.steps.get(&path_key(path)).copied() else {
                    self.graph_incomplete = true;
                    return None;
                };
                let name = info.state_name.clone();
                let span = path_span(path);
                if let Some(existing) = states.get(&name) {
                    if existing.origin.as_deref() == Some(path_key(path).as_str()) {
                        if let Some(fields) = fields {
                            let at = fields.entries.first().map_or(span, |f| f.key_span);
                            self.error(at, format!("the fields of step `{name}` are already given where it first appears: give them once"));
                        }
                        return Some(Target::State(name, span));
                    }
                }
                if self.names.contains_key(&name) {
                    self.duplicate(&name, span);
                    return None;
                }
                let pointer = format!("{at}{}", state_pointer(&name));
                let mut object = Map::new();
                object.insert("Type".into(), json!("Task"));
                object.insert("Resource".into(), json!(placeholder(info)));
                self.record(pointer.clone(), span, span);
                self.record(format!("{pointer}/Type"), span, span);
                self.record(format!("{pointer}/Resource"), span, span);
                self.fields_into(&pointer, fields.as_ref(), &mut object);
                self.names.insert(name.clone(), Some(path_key(path)));
                states.insert(
                    name.clone(),
                    Building {
                        object,
                        kind: "Task".into(),
                        step: Some(path),
                        origin: Some(path_key(path)),
                        fields: fields.as_ref(),
                    },
                );
                Some(Target::State(name, span))
            }
            Node::Decl(decl) => {
                let name = decl.name.value.clone();
                if self.names.contains_key(&name) {
                    self.duplicate(&name, decl.name.span);
                    return None;
                }
                let Some(building) = self.declared(at, decl) else {
                    self.rejected.insert(name);
                    self.graph_incomplete = true;
                    return None;
                };
                self.names.insert(name.clone(), None);
                states.insert(name.clone(), building);
                Some(Target::State(name, decl.name.span))
            }
        }
    }

    /// A second declaration of `name`: references to it are not reported again (the name exists, once).
    fn duplicate(&mut self, name: &str, span: Span) {
        self.rejected.insert(name.to_owned());
        self.graph_error(
            span,
            format!("duplicate state name `{name}`: state names are unique across the whole workflow; rename one (a step takes another name with `#[step(name = \"...\")]` or `OtherName: Task(step)`)"),
        );
    }

    fn declared(&mut self, at: &str, decl: &'a Decl) -> Option<Building<'a>> {
        let kind = decl.kind.to_string();
        let pointer = format!("{at}{}", state_pointer(&decl.name.value));
        self.record(pointer.clone(), decl.name.span, decl.name.span);
        self.record(
            format!("{pointer}/Type"),
            decl.kind.span(),
            decl.kind.span(),
        );
        let mut object = Map::new();
        object.insert("Type".into(), json!(kind));
        let mut step = None;
        match (&decl.arg, kind.as_str()) {
            (Some(TaskTarget::Step(path)), "Task") => {
                let info = self.steps.get(&path_key(path)).copied()?;
                object.insert("Resource".into(), json!(placeholder(info)));
                let span = path_span(path);
                self.record(format!("{pointer}/Resource"), span, span);
                step = Some(path);
            }
            (Some(TaskTarget::Resource(resource)), "Task") => {
                object.insert("Resource".into(), json!(resource.value()));
                self.record(
                    format!("{pointer}/Resource"),
                    resource.span(),
                    resource.span(),
                );
            }
            (None, "Task") => {
                let has_resource = decl
                    .fields
                    .as_ref()
                    .is_some_and(|f| f.entries.iter().any(|f| f.key == "Resource"));
                if !has_resource {
                    self.error(decl.kind.span(), "a Task runs a step or a resource: write `Task(my_step)` or `Task(\"arn:aws:states:::...\")`");
                    return None;
                }
            }
            (Some(_), _) => {
                self.error(
                    decl.kind.span(),
                    format!("only a Task takes an argument: write `{kind}` without `(...)`"),
                );
            }
            (None, _) => {}
        }
        self.fields_into(&pointer, decl.fields.as_ref(), &mut object);
        if kind == "Choice" && !object.contains_key("Default") && !object.contains_key("Comment") {
            // AWS accepts a Choice without Default; the definition says what that means for whoever reads it.
            let note = "No Default: an input that matches no rule fails the execution with States.NoChoiceMatched";
            object.insert("Comment".into(), json!(note));
        }
        Some(Building {
            object,
            kind,
            step,
            origin: None,
            fields: decl.fields.as_ref(),
        })
    }

    /// A state's fields, in the order written; `Next`/`End` are arrows in this syntax.
    fn fields_into(
        &mut self,
        pointer: &str,
        fields: Option<&'a Fields>,
        object: &mut Map<String, serde_json::Value>,
    ) {
        for field in fields.into_iter().flat_map(|f| &f.entries) {
            match field.key.as_str() {
                "Next" | "End" => {
                    self.graph_error(
                        field.key_span,
                        "transitions are written with arrows: remove this field and continue the chain with `-> NextState` or `-> end`",
                    );
                    continue;
                }
                "Type" => {
                    self.error(field.key_span, "the type is written before the braces, as in `Done: Succeed`: remove this field");
                    continue;
                }
                _ => {}
            }
            let at = format!("{pointer}/{}", escape(&field.key));
            let value = self.json(&at, &field.value, field.key_span);
            object.insert(field.key.clone(), value);
        }
    }

    /// A value as JSON, recording the span of every pointer inside it. A bare identifier is a state name where the
    /// key takes one (`Next`, `Default`); nested states are a scope of their own.
    fn json(&mut self, at: &str, value: &'a Value, key_span: Span) -> serde_json::Value {
        self.record(at.to_owned(), key_span, value.span());
        match value {
            Value::Json(json, _) => json.clone(),
            Value::Ident(ident) => {
                let key = at.rsplit('/').next().unwrap_or_default();
                if matches!(key, "Next" | "Default") {
                    json!(ident.to_string())
                } else {
                    self.error(
                        ident.span(),
                        format!("`{ident}` is not a JSON value: write a string (`\"{ident}\"`), number, bool, `null`, `[..]` or `{{..}}`"),
                    );
                    serde_json::Value::Null
                }
            }
            Value::Array(items, _) => {
                let items: Vec<serde_json::Value> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.json(&format!("{at}/{i}"), item, item.span()))
                    .collect();
                serde_json::Value::Array(items)
            }
            Value::Object(fields, _) => {
                let mut object = Map::new();
                for field in &fields.entries {
                    let value = self.json(
                        &format!("{at}/{}", escape(&field.key)),
                        &field.value,
                        field.key_span,
                    );
                    object.insert(field.key.clone(), value);
                }
                serde_json::Value::Object(object)
            }
            Value::Workflow(sub, span) => {
                let SubWorkflow { fields, chains } = &**sub;
                let fields: Vec<&Field> = fields.entries.iter().collect();
                self.scope(at, &fields, chains, *span)
            }
        }
    }

    /// Sets `Next`/`End` along a chain and records the step-to-step edges.
    fn link(
        &mut self,
        at: &str,
        targets: &[Option<Target>],
        states: &mut stepfn_asl::IndexMap<String, Building<'a>>,
    ) {
        for pair in targets.windows(2) {
            let (Some(Target::State(from, _)), Some(to)) = (&pair[0], &pair[1]) else {
                if let Some(Target::End(span)) = &pair[0] {
                    self.graph_error(
                        *span,
                        "`end` ends the chain: nothing can follow it; put `;` after `end`",
                    );
                }
                continue;
            };
            let (to_name, to_span) = match to {
                Target::State(name, span) => (Some(name.clone()), *span),
                Target::End(span) => (None, *span),
            };
            let Some(state) = states.get_mut(from) else {
                continue;
            };
            match state.kind.as_str() {
                "Succeed" | "Fail" => {
                    let kind = state.kind.clone();
                    self.graph_error(to_span, format!("`{from}` is a {kind} state, which ends the workflow: remove this `->` and what follows"));
                    continue;
                }
                "Choice" => {
                    self.graph_error(
                        to_span,
                        format!("`{from}` is a Choice state: it moves on by its rules; name the state in a rule's `Next` or in `Default`, not with `->`"),
                    );
                    continue;
                }
                _ => {}
            }
            if let Some(already) = state
                .object
                .get("Next")
                .and_then(|n| n.as_str())
                .map(str::to_owned)
                .or_else(|| state.object.get("End").map(|_| "end".to_owned()))
            {
                self.graph_error(
                    to_span,
                    format!("state `{from}` already continues to `{already}`; a state has one way on: remove one of the two arrows (use a Choice state to branch)"),
                );
                continue;
            }
            let pointer = format!("{at}{}", state_pointer(from));
            match &to_name {
                Some(next) => {
                    state.object.insert("Next".into(), json!(next));
                    self.record(format!("{pointer}/Next"), to_span, to_span);
                    self.arrow_pointers.insert(format!("{pointer}/Next"));
                }
                None => {
                    state.object.insert("End".into(), json!(true));
                    self.record(format!("{pointer}/End"), to_span, to_span);
                }
            }
        }
    }

    /// Every chain reference must name a state declared in the same scope.
    fn check_references(
        &mut self,
        chains: &[Chain],
        states: &stepfn_asl::IndexMap<String, Building<'a>>,
        nested: bool,
    ) {
        for node in chains.iter().flat_map(|c| &c.nodes) {
            let Node::Ref(StateName { value, span }) = node else {
                continue;
            };
            if states.contains_key(value) || self.rejected.contains(value) {
                continue;
            }
            self.graph_incomplete = true;
            let suggestion = stepfn_asl::closest(value, states.keys().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| format!("; declare it, as in `{value}: Succeed;`"));
            let suggestion = if nested && !suggestion.contains("did you mean") {
                String::new()
            } else {
                suggestion
            };
            let message = if nested {
                format!("there is no state named `{value}` in this branch or item processor: its states move only among themselves (end it with `-> end`){suggestion}")
            } else {
                format!("there is no state named `{value}`{suggestion}")
            };
            self.error(*span, message);
        }
    }

    /// The error names a step's `Retry` and `Catch` expect its error type to raise: all but the `States.*` names
    /// (the validator checks those) and the names Lambda and stepfn raise around every step.
    fn collect_expected_errors(&mut self, building: &Building<'a>) {
        use stepfn_asl::error_names;
        let Some(step) = building.step else { return };
        let Some(info) = self.steps.get(&path_key(step)) else {
            return;
        };
        let state = info.state_name.clone();
        for field in building
            .fields
            .into_iter()
            .flat_map(|f| &f.entries)
            .filter(|f| matches!(f.key.as_str(), "Retry" | "Catch"))
        {
            let Value::Array(entries, _) = &field.value else {
                continue;
            };
            for entry in entries {
                let Value::Object(fields, _) = entry else {
                    continue;
                };
                let Some(Value::Array(names, _)) = fields
                    .entries
                    .iter()
                    .find(|f| f.key == "ErrorEquals")
                    .map(|f| &f.value)
                else {
                    continue;
                };
                for name in names {
                    let Value::Json(serde_json::Value::String(text), span) = name else {
                        continue;
                    };
                    if text.starts_with("States.") || error_names::is_raised_around_steps(text) {
                        continue;
                    }
                    self.expected_errors.push(ExpectedError {
                        step: step.clone(),
                        state: state.clone(),
                        name: text.clone(),
                        suggestion: stepfn_asl::closest(text, error_names::around_steps()),
                        span: *span,
                    });
                }
            }
        }
    }

    fn record(&mut self, pointer: String, key: Span, value: Span) {
        self.spans.entry(pointer).or_insert(Tokens { key, value });
    }

    /// The span for a problem: the closest recorded pointer at or above it; the key's for problems with a field
    /// itself, the value's otherwise.
    fn span_of(&self, pointer: &str, rule: Rule) -> Span {
        let on_key = matches!(
            rule,
            Rule::UnknownField
                | Rule::DuplicateKey
                | Rule::ExclusiveFields
                | Rule::VariableName
                | Rule::OuterVariableAssigned
        );
        let mut pointer = pointer;
        loop {
            if let Some(tokens) = self.spans.get(pointer) {
                return if on_key { tokens.key } else { tokens.value };
            }
            match pointer.rfind('/') {
                Some(cut) => pointer = &pointer[..cut],
                None => return Span::call_site(),
            }
        }
    }
}

/// Where to point at a step's path: its last segment, the function's name (a path's joined span is not available
/// on stable Rust, where `steps::charge` would point at `steps` alone).
pub fn path_span(path: &Path) -> Span {
    path.segments
        .last()
        .map_or_else(Span::call_site, |segment| segment.ident.span())
}

fn placeholder(info: &StepInfo) -> String {
    format!(
        "${{{}}}",
        stepfn_asl::function_arn_placeholder(&info.resource_key)
    )
}

use stepfn_asl::pointer_segment as escape;
