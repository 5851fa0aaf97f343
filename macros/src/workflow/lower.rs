//! Lowering: the parsed workflow plus what each step told us (its state name) becomes a `stepfn_asl` document,
//! a map from JSON pointers back to the user's tokens, and the step-to-step edges whose types rustc must check.
//! Then the shared ASL validator runs, and each problem it finds is reported at the token it points to.

use super::ast::{path_key, Chain, Decl, Node, StateName, TaskTarget, WorkflowInput};
use super::value::{Field, Fields, Value};
use proc_macro2::Span;
use std::collections::{BTreeMap, HashMap};
use stepfn_asl::{state_pointer, Fail, Pass, Rule, State, StateMachine, Succeed, Task, Transition};
use syn::Path;

pub const STATE_TYPES: &str = "Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map";
const TOP_LEVEL_FIELDS: &[&str] = &["Comment", "Version", "TimeoutSeconds"];

/// What a step's resolver macro reported about it.
pub struct StepInfo {
    pub state_name: String,
    pub resource_key: String,
}

/// A Task-to-Task edge between two steps: the next step's input must accept the previous step's output.
pub struct Edge {
    pub from: Path,
    pub to: Path,
    pub from_state: String,
    pub to_state: String,
    pub span: Span,
}

pub struct Lowered {
    pub machine: StateMachine,
    pub edges: Vec<Edge>,
}

/// Where a node of a chain leads.
#[derive(Clone)]
enum Target {
    State(String, Span),
    End(Span),
}

struct Lowering<'a> {
    steps: HashMap<String, &'a StepInfo>,
    states: stepfn_asl::IndexMap<String, State>,
    /// Which step a state runs, for states that run one.
    step_of: HashMap<String, &'a Path>,
    /// The node that declared each state.
    origin: HashMap<String, Origin>,
    spans: BTreeMap<String, Span>,
    errors: Vec<syn::Error>,
    /// Names whose declaration was rejected: references to them are not reported again.
    rejected: Vec<String>,
    /// Set when an error left the graph incomplete; its reachability problems would then be consequences.
    graph_incomplete: bool,
}

#[derive(PartialEq)]
enum Origin {
    Step(String),
    Decl,
}

pub fn lower(input: &WorkflowInput, steps: &[(&Path, StepInfo)]) -> Result<Lowered, syn::Error> {
    let mut lowering = Lowering {
        steps: steps
            .iter()
            .map(|(path, info)| (path_key(path), info))
            .collect(),
        states: stepfn_asl::IndexMap::new(),
        step_of: HashMap::new(),
        origin: HashMap::new(),
        spans: BTreeMap::new(),
        errors: Vec::new(),
        rejected: Vec::new(),
        graph_incomplete: false,
    };
    let mut machine = lowering.top_level(&input.fields);

    // Declare every state first, so chains may refer to states declared further down.
    let targets: Vec<Vec<Option<Target>>> = input
        .chains
        .iter()
        .map(|chain| {
            chain
                .nodes
                .iter()
                .map(|node| lowering.declare(node))
                .collect()
        })
        .collect();
    let mut edges = Vec::new();
    for (chain, targets) in input.chains.iter().zip(&targets) {
        lowering.link(chain, targets, &mut edges);
    }
    lowering.check_references(input);

    match targets.first().and_then(|t| t.first()).cloned().flatten() {
        Some(Target::State(start, span)) => {
            machine.start_at = start;
            lowering.spans.insert("/StartAt".into(), span);
        }
        Some(Target::End(span)) => lowering.graph_error(
            span,
            "a workflow cannot start with `end`: start with a step or a state",
        ),
        None => {}
    }
    machine.states = std::mem::take(&mut lowering.states);

    for problem in stepfn_asl::validate(&machine) {
        // Unknown names were reported at the reference, with a suggestion; graph problems of an incomplete graph
        // are consequences of errors already reported.
        let consequence = matches!(
            problem.rule,
            Rule::Unreachable | Rule::NeverFinishes | Rule::NoTransition
        );
        if problem.rule == Rule::UnknownState || (consequence && lowering.graph_incomplete) {
            continue;
        }
        let span = lowering.span_of(&problem.pointer);
        let message = match problem.rule {
            Rule::NoTransition => {
                let name = problem.pointer.trim_start_matches("/States/");
                format!("state `{name}` has no way on: continue it with `-> NextState` or end the workflow with `-> end`")
            }
            _ => problem.message,
        };
        lowering.errors.push(syn::Error::new(span, message));
    }

    match lowering.errors.into_iter().reduce(|mut all, next| {
        all.combine(next);
        all
    }) {
        Some(errors) => Err(errors),
        None => Ok(Lowered { machine, edges }),
    }
}

impl<'a> Lowering<'a> {
    fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// An error in the shape of the graph itself.
    fn graph_error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.graph_incomplete = true;
        self.error(span, message);
    }

    fn top_level(&mut self, fields: &Fields) -> StateMachine {
        let mut machine = StateMachine {
            comment: None,
            start_at: String::new(),
            version: None,
            timeout_seconds: None,
            states: Default::default(),
        };
        for field in &fields.entries {
            let result = match field.key.as_str() {
                "Comment" => string(field).map(|s| machine.comment = Some(s)),
                "Version" => string(field).map(|s| machine.version = Some(s)),
                "TimeoutSeconds" => seconds(field).map(|n| machine.timeout_seconds = Some(n)),
                "StartAt" => Err(syn::Error::new(
                    field.key_span,
                    "`StartAt` is implied: the workflow starts at the first state of its first chain; remove this field",
                )),
                "States" => Err(syn::Error::new(
                    field.key_span,
                    "states are written after the header as chains (`a -> b -> end;`): remove this field",
                )),
                other => Err(unknown_field(field, other, "the workflow", TOP_LEVEL_FIELDS)),
            };
            self.push(result);
        }
        machine
    }

    fn push(&mut self, result: syn::Result<()>) {
        if let Err(error) = result {
            self.errors.push(error);
        }
    }

    /// Declares the state a node stands for, and says where the node leads.
    fn declare(&mut self, node: &'a Node) -> Option<Target> {
        match node {
            Node::End(span) => Some(Target::End(*span)),
            Node::Ref(name) => Some(Target::State(name.value.clone(), name.span)),
            Node::Step { path, fields } => {
                let Some(info) = self.steps.get(&path_key(path)) else {
                    self.graph_incomplete = true;
                    return None;
                };
                let name = info.state_name.clone();
                let span = syn::spanned::Spanned::span(path);
                match self.origin.get(&name) {
                    Some(Origin::Step(key)) if *key == path_key(path) => {
                        if let Some(fields) = fields {
                            self.error(
                                fields.entries.first().map_or(span, |f| f.key_span),
                                format!("the fields of step `{name}` are already given where it first appears: give them once"),
                            );
                        }
                    }
                    Some(_) => {
                        self.duplicate(&name, span);
                        return None;
                    }
                    None => {
                        let task = self.step_task(info, None, fields.as_ref());
                        self.insert(name.clone(), span, task, Origin::Step(path_key(path)));
                        self.step_of.insert(name.clone(), path);
                    }
                }
                Some(Target::State(name, span))
            }
            Node::Decl(decl) => {
                let name = decl.name.value.clone();
                if self.origin.contains_key(&name) {
                    self.duplicate(&name, decl.name.span);
                    return None;
                }
                let Some(state) = self.declared_state(decl) else {
                    self.rejected.push(name);
                    self.graph_incomplete = true;
                    return None;
                };
                self.insert(name.clone(), decl.name.span, state, Origin::Decl);
                Some(Target::State(name, decl.name.span))
            }
        }
    }

    fn duplicate(&mut self, name: &str, span: Span) {
        self.graph_error(
            span,
            format!("duplicate state name `{name}`: every state needs its own name; rename one of them (a step takes another name with `#[step(name = \"...\")]` or `OtherName: Task(step)`)"),
        );
    }

    fn insert(&mut self, name: String, span: Span, state: State, origin: Origin) {
        self.spans.insert(state_pointer(&name), span);
        self.origin.insert(name.clone(), origin);
        self.states.insert(name, state);
    }

    fn declared_state(&mut self, decl: &'a Decl) -> Option<State> {
        let kind = decl.kind.to_string();
        let fields = decl.fields.as_ref();
        if decl.arg.is_some() && kind != "Task" {
            self.error(
                decl.kind.span(),
                format!("only a Task takes an argument: write `{kind}` without `(...)`"),
            );
        }
        let pointer = state_pointer(&decl.name.value);
        for field in fields.into_iter().flat_map(|f| &f.entries) {
            self.spans
                .insert(format!("{pointer}/{}", field.key), field.key_span);
        }
        match kind.as_str() {
            "Task" => match &decl.arg {
                Some(TaskTarget::Step(path)) => {
                    let info = self.steps.get(&path_key(path))?;
                    self.step_of.insert(decl.name.value.clone(), path);
                    Some(self.step_task(info, Some(&decl.name), fields))
                }
                Some(TaskTarget::Resource(lit)) => {
                    self.error(lit.span(), "service integrations by Resource ARN are not supported yet: run a step, as in `Task(my_step)`");
                    None
                }
                None => {
                    self.error(
                        decl.kind.span(),
                        "a Task runs a step: write `Task(my_step)`",
                    );
                    None
                }
            },
            "Pass" => {
                let mut pass = Pass {
                    comment: None,
                    result: None,
                    transition: Transition::default(),
                };
                self.fields(
                    fields,
                    "a Pass state",
                    &["Comment", "Result"],
                    |key, field| {
                        match key {
                            "Comment" => pass.comment = Some(string(field)?),
                            _ => pass.result = Some(field.value.to_json()?),
                        }
                        Ok(())
                    },
                );
                Some(State::Pass(pass))
            }
            "Succeed" => {
                let mut succeed = Succeed::default();
                self.fields(fields, "a Succeed state", &["Comment"], |_, field| {
                    succeed.comment = Some(string(field)?);
                    Ok(())
                });
                Some(State::Succeed(succeed))
            }
            "Fail" => {
                let mut fail = Fail::default();
                self.fields(
                    fields,
                    "a Fail state",
                    &["Comment", "Error", "Cause"],
                    |key, field| {
                        let text = Some(string(field)?);
                        match key {
                            "Comment" => fail.comment = text,
                            "Error" => fail.error = text,
                            _ => fail.cause = text,
                        }
                        Ok(())
                    },
                );
                Some(State::Fail(fail))
            }
            "Choice" | "Wait" | "Parallel" | "Map" => {
                self.error(
                    decl.kind.span(),
                    format!("`{kind}` states are not supported by workflow! yet; this version supports Task, Pass, Succeed and Fail"),
                );
                None
            }
            _ => {
                let suggestion = stepfn_asl::closest(&kind, STATE_TYPES.split(", "))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.error(
                    decl.kind.span(),
                    format!(
                        "unknown state type `{kind}`: expected one of {STATE_TYPES}{suggestion}"
                    ),
                );
                None
            }
        }
    }

    /// A Task state invoking a step's Lambda function through its ARN placeholder.
    fn step_task(
        &mut self,
        info: &StepInfo,
        named: Option<&StateName>,
        fields: Option<&Fields>,
    ) -> State {
        let mut task = Task {
            comment: None,
            resource: format!(
                "${{{}}}",
                stepfn_asl::function_arn_placeholder(&info.resource_key)
            ),
            timeout_seconds: None,
            heartbeat_seconds: None,
            transition: Transition::default(),
        };
        let pointer = state_pointer(named.map_or(&info.state_name, |n| &n.value));
        for field in fields.into_iter().flat_map(|f| &f.entries) {
            self.spans
                .insert(format!("{pointer}/{}", field.key), field.key_span);
        }
        self.fields(
            fields,
            "a Task state",
            &["Comment", "TimeoutSeconds", "HeartbeatSeconds"],
            |key, field| {
                match key {
                    "Comment" => task.comment = Some(string(field)?),
                    "TimeoutSeconds" => task.timeout_seconds = Some(seconds(field)?),
                    _ => task.heartbeat_seconds = Some(seconds(field)?),
                }
                Ok(())
            },
        );
        State::Task(task)
    }

    /// Applies each field through `apply`, reporting unknown fields with the list of known ones.
    fn fields(
        &mut self,
        fields: Option<&Fields>,
        what: &str,
        known: &[&str],
        mut apply: impl FnMut(&str, &Field) -> syn::Result<()>,
    ) {
        for field in fields.into_iter().flat_map(|f| &f.entries) {
            if matches!(field.key.as_str(), "Next" | "End") {
                self.graph_incomplete = true;
            }
            let result = match field.key.as_str() {
                key if known.contains(&key) => apply(key, field),
                "Next" | "End" => Err(syn::Error::new(
                    field.key_span,
                    "transitions are written with arrows: remove this field and continue the chain with `-> NextState` or `-> end`",
                )),
                "Type" => Err(syn::Error::new(field.key_span, "the type is written before the braces, as in `Done: Succeed`: remove this field")),
                other => Err(unknown_field(field, other, what, known)),
            };
            self.push(result);
        }
    }

    /// Sets `Next`/`End` along a chain and records the step-to-step edges.
    fn link(&mut self, chain: &'a Chain, targets: &[Option<Target>], edges: &mut Vec<Edge>) {
        for (i, pair) in targets.windows(2).enumerate() {
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
            let Some(state) = self.states.get_mut(from) else {
                continue;
            };
            let transition = match state {
                State::Task(t) => &mut t.transition,
                State::Pass(p) => &mut p.transition,
                State::Succeed(_) | State::Fail(_) => {
                    let kind = state.type_name();
                    self.graph_error(to_span, format!("`{from}` is a {kind} state, which ends the workflow: remove this `->` and what follows"));
                    continue;
                }
            };
            if transition.next.is_some() || transition.end.is_some() {
                let already = transition.next.clone().unwrap_or_else(|| "end".into());
                self.graph_error(
                    to_span,
                    format!("state `{from}` already continues to `{already}`; a state has one way on: remove one of the two arrows (use a Choice state to branch)"),
                );
                continue;
            }
            let pointer = state_pointer(from);
            match &to_name {
                Some(next) => {
                    *transition = Transition::next(next.clone());
                    self.spans.insert(format!("{pointer}/Next"), to_span);
                }
                None => {
                    *transition = Transition::end();
                    self.spans.insert(format!("{pointer}/End"), to_span);
                }
            }
            if let (Some(to_name), Some(from_path)) = (to_name, self.step_of.get(from)) {
                if let Some(to_path) = self.step_of.get(&to_name) {
                    edges.push(Edge {
                        from: (*from_path).clone(),
                        to: (*to_path).clone(),
                        from_state: from.clone(),
                        to_state: to_name,
                        span: chain.nodes[i + 1].span(),
                    });
                }
            }
        }
    }

    /// Every reference must name a declared state.
    fn check_references(&mut self, input: &WorkflowInput) {
        for node in input.chains.iter().flat_map(|c| &c.nodes) {
            let Node::Ref(name) = node else { continue };
            if self.states.contains_key(&name.value) || self.rejected.contains(&name.value) {
                continue;
            }
            self.graph_incomplete = true;
            let suggestion =
                stepfn_asl::closest(&name.value, self.states.keys().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("; declare it, as in `{}: Succeed;`", name.value));
            self.error(
                name.span,
                format!("there is no state named `{}`{suggestion}", name.value),
            );
        }
    }

    /// The span for a JSON pointer: the closest recorded pointer at or above it.
    fn span_of(&self, pointer: &str) -> Span {
        let mut pointer = pointer;
        loop {
            if let Some(span) = self.spans.get(pointer) {
                return *span;
            }
            match pointer.rfind('/') {
                Some(cut) if cut > 0 => pointer = &pointer[..cut],
                _ => return Span::call_site(),
            }
        }
    }
}

fn unknown_field(field: &Field, key: &str, what: &str, known: &[&str]) -> syn::Error {
    let suggestion = stepfn_asl::closest(key, known.iter().copied())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    syn::Error::new(
        field.key_span,
        format!(
            "unknown field `{key}` for {what}: expected one of {}{suggestion}",
            known.join(", ")
        ),
    )
}

fn string(field: &Field) -> syn::Result<String> {
    match &field.value {
        Value::Json(serde_json::Value::String(s), _) => Ok(s.clone()),
        other => Err(syn::Error::new(
            other.span(),
            format!(
                "`{}` takes a string, as in `{}: \"...\"`",
                field.key, field.key
            ),
        )),
    }
}

fn seconds(field: &Field) -> syn::Result<u64> {
    match &field.value {
        Value::Json(serde_json::Value::Number(n), _) if n.as_u64().is_some_and(|n| n > 0) => {
            Ok(n.as_u64().unwrap_or(1))
        }
        other => Err(syn::Error::new(
            other.span(),
            format!(
                "`{}` takes a positive whole number of seconds, as in `{}: 30`",
                field.key, field.key
            ),
        )),
    }
}
