//! A scope of states: the top level, a Parallel branch, a Map's item processor. Each has its own `StartAt` and
//! `States`, transitions stay inside it, and its graph must reach every state and let every state finish.

use super::fields::{escape, QueryLanguage};
use super::Checker;
use crate::problem::Rule;
use crate::{check_state_name, closest};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, VecDeque};

const TOP_LEVEL: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "Version",
    "TimeoutSeconds",
    "QueryLanguage",
];
const NESTED: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "ProcessorConfig",
    "QueryLanguage",
];

/// A state's outgoing transitions, gathered while checking it.
pub(crate) struct Edges {
    pub targets: Vec<(String, String)>,
    pub terminal: bool,
}

impl Checker {
    pub(crate) fn machine(&mut self, document: &Value) {
        let Some(object) = document.as_object() else {
            self.report(
                Rule::FieldType,
                String::new(),
                "a state machine definition is a JSON object".into(),
            );
            return;
        };
        let language = self.query_language("", object, QueryLanguage::JsonPath, true);
        self.jsonata_machine = language == QueryLanguage::Jsonata;
        for key in object.keys().filter(|k| !TOP_LEVEL.contains(&k.as_str())) {
            let hint = closest(key, TOP_LEVEL.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            self.report(
                Rule::UnknownField,
                format!("/{}", escape(key)),
                format!("unknown top-level field `{key}`{hint}"),
            );
        }
        self.string("", object, "Comment");
        if let Some(version) = self.string("", object, "Version") {
            if version != "1.0" {
                self.report(
                    Rule::FieldValue,
                    "/Version".into(),
                    format!("`Version` must be \"1.0\", not \"{version}\""),
                );
            }
        }
        if object.contains_key("TimeoutSeconds") {
            self.integer(
                "",
                object,
                "TimeoutSeconds",
                1..=crate::limits::MAX_SECONDS as i64,
            );
        }
        self.scope("", object, language);
    }

    /// `QueryLanguage` of a machine, scope or state, defaulting to `inherited`. JSONPath is refused only inside a
    /// machine whose top level is JSONata: "You cannot revert a top-level JSONata-based state machine to a mix of
    /// JSONata and JSONPath states" (<https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html>);
    /// under a JSONPath top level AWS allows the mix, so a JSONPath state inside a JSONata Parallel or Map is kept.
    pub(crate) fn query_language(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        inherited: QueryLanguage,
        top: bool,
    ) -> QueryLanguage {
        match object.get("QueryLanguage") {
            None => inherited,
            Some(Value::String(s)) if s == "JSONata" => QueryLanguage::Jsonata,
            Some(Value::String(s)) if s == "JSONPath" => {
                if self.jsonata_machine && !top {
                    self.report(
                        Rule::FieldValue,
                        format!("{at}/QueryLanguage"),
                        "a state cannot use JSONPath inside a state machine whose top-level `QueryLanguage` is JSONata: write this state in JSONata, or set the top level to JSONPath and `QueryLanguage: \"JSONata\"` on the JSONata states".into(),
                    );
                }
                QueryLanguage::JsonPath
            }
            Some(_) => {
                self.report(
                    Rule::FieldValue,
                    format!("{at}/QueryLanguage"),
                    "`QueryLanguage` must be \"JSONPath\" or \"JSONata\"".into(),
                );
                inherited
            }
        }
    }

    /// `StartAt` and `States` of the scope at `at`, its states, and its graph.
    pub(crate) fn scope(&mut self, at: &str, object: &Map<String, Value>, language: QueryLanguage) {
        if !at.is_empty() {
            for key in object.keys().filter(|k| !NESTED.contains(&k.as_str())) {
                let hint = closest(key, NESTED.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.report(
                    Rule::UnknownField,
                    format!("{at}/{}", escape(key)),
                    format!("unknown field `{key}`{hint}"),
                );
            }
        }
        let start = self.required_string(
            at,
            object,
            "StartAt",
            if at.is_empty() {
                "a state machine"
            } else {
                "a branch or item processor"
            },
        );
        let states = match object.get("States") {
            Some(Value::Object(states)) if !states.is_empty() => states,
            Some(Value::Object(_)) => {
                self.report(
                    Rule::NoStates,
                    format!("{at}/States"),
                    "`States` needs at least one state".into(),
                );
                return;
            }
            Some(_) => {
                self.report(
                    Rule::FieldType,
                    format!("{at}/States"),
                    "`States` must be an object of states by name".into(),
                );
                return;
            }
            None => {
                self.report(
                    Rule::MissingField,
                    at.to_owned(),
                    "`States` is missing".into(),
                );
                return;
            }
        };
        if let Some(start) = start {
            if !states.contains_key(start) {
                self.report(
                    Rule::UnknownState,
                    format!("{at}/StartAt"),
                    unknown(start, states),
                );
            }
        }
        let mut edges = Vec::new();
        for (name, state) in states {
            let pointer = format!("{at}/States/{}", escape(name));
            if let Err(message) = check_state_name(name) {
                self.report(Rule::StateName, pointer.clone(), message);
            }
            if let Some(first) = self.names.get(name) {
                let message = format!("state name `{name}` is already used at {first}: names are unique across the whole state machine");
                self.report(Rule::DuplicateState, pointer.clone(), message);
            } else {
                self.names.insert(name.clone(), pointer.clone());
            }
            let state_edges = self.state(&pointer, name, state, language);
            for (target_at, target) in &state_edges.targets {
                if !states.contains_key(target) {
                    self.report(
                        Rule::UnknownState,
                        target_at.clone(),
                        unknown(target, states),
                    );
                }
            }
            edges.push(state_edges);
        }
        self.graph(at, states, start, &edges);
    }

    fn graph(
        &mut self,
        at: &str,
        states: &Map<String, Value>,
        start: Option<&str>,
        edges: &[Edges],
    ) {
        let names: Vec<&String> = states.keys().collect();
        let index = |name: &str| names.iter().position(|n| *n == name);
        let successors: Vec<Vec<usize>> = edges
            .iter()
            .map(|e| e.targets.iter().filter_map(|(_, t)| index(t)).collect())
            .collect();
        // Unknown targets are reported already; counting them as a way out avoids consequential problems.
        let finishes_by_itself: Vec<bool> = edges
            .iter()
            .map(|e| e.terminal || e.targets.iter().any(|(_, t)| index(t).is_none()))
            .collect();

        if let Some(start) = start.and_then(index) {
            let mut seen = vec![false; names.len()];
            seen[start] = true;
            let mut queue = VecDeque::from([start]);
            while let Some(i) = queue.pop_front() {
                for &j in &successors[i] {
                    if !std::mem::replace(&mut seen[j], true) {
                        queue.push_back(j);
                    }
                }
            }
            for (i, name) in names.iter().enumerate().filter(|(i, _)| !seen[*i]) {
                let _ = i;
                self.report(
                    Rule::Unreachable,
                    format!("{at}/States/{}", escape(name)),
                    format!(
                        "state `{name}` can never run: no state moves to it and it is not StartAt"
                    ),
                );
            }
        }

        let mut predecessors = vec![BTreeSet::new(); names.len()];
        for (i, succ) in successors.iter().enumerate() {
            for &j in succ {
                predecessors[j].insert(i);
            }
        }
        let mut finishes = finishes_by_itself;
        let mut queue: VecDeque<usize> = (0..names.len()).filter(|&i| finishes[i]).collect();
        while let Some(j) = queue.pop_front() {
            for &i in &predecessors[j] {
                if !std::mem::replace(&mut finishes[i], true) {
                    queue.push_back(i);
                }
            }
        }
        for (name, _) in names.iter().zip(finishes).filter(|(_, f)| !f) {
            self.report(
                Rule::NeverFinishes,
                format!("{at}/States/{}", escape(name)),
                format!("state `{name}` never reaches an end: every path from it loops without a Succeed, Fail or End"),
            );
        }
    }
}

pub(crate) fn unknown(name: &str, states: &Map<String, Value>) -> String {
    let suggestion = closest(name, states.keys().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    format!("there is no state named `{name}` here{suggestion}")
}
