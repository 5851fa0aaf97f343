//! The checks of each state type.

const MAX_SECONDS: i64 = crate::limits::MAX_SECONDS as i64;

use super::fields::{allowed, allowed_in_other_language, QueryLanguage};
use super::scope::Edges;
use super::Checker;
use crate::problem::Rule;
use serde_json::{Map, Value};

const STATE_TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];
const MAX_LABEL_CHARS: usize = 40;
/// The state types that may have `Assign`.
const ASSIGNING_TYPES: &[&str] = &["Pass", "Task", "Choice", "Wait", "Parallel", "Map"];

impl Checker {
    /// Checks one state and returns its transitions.
    pub(crate) fn state(
        &mut self,
        at: &str,
        name: &str,
        state: &Value,
        inherited: QueryLanguage,
    ) -> Edges {
        let mut edges = Edges {
            targets: Vec::new(),
            terminal: true,
        };
        let Some(object) = state.as_object() else {
            self.report(
                Rule::FieldType,
                at.to_owned(),
                format!("state `{name}` must be a JSON object"),
            );
            return edges;
        };
        let Some(kind) = self.required_string(at, object, "Type", &format!("state `{name}`"))
        else {
            return edges;
        };
        let language = self.query_language(at, object, inherited, false);
        let Some(fields) = allowed(kind, language) else {
            let hint = crate::closest(kind, STATE_TYPES.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            self.report(
                Rule::FieldValue,
                format!("{at}/Type"),
                format!(
                    "unknown state type `{kind}`: expected one of {}{hint}",
                    STATE_TYPES.join(", ")
                ),
            );
            return edges;
        };
        let what = format!("a {kind} state");
        self.unknown_fields(
            at,
            object,
            &what,
            &fields,
            &allowed_in_other_language(kind, language),
            language,
        );
        self.string(at, object, "Comment");
        self.io(at, object, language);
        if let Some(assign) = object.get("Assign") {
            self.state_assign(&format!("{at}/Assign"), kind, assign, language);
        }
        match kind {
            "Task" => self.task(at, object, language),
            "Wait" => self.wait(at, object, language),
            "Fail" => self.fail(at, object, language),
            "Choice" => {
                self.choice(at, object, language, &mut edges);
                return edges;
            }
            "Parallel" => self.parallel(at, object, language),
            "Map" => self.map(at, object, language),
            _ => {}
        }
        if matches!(kind, "Task" | "Parallel" | "Map") {
            self.retriers(at, object);
            self.catchers(at, object, language, &mut edges);
        }
        if matches!(kind, "Succeed" | "Fail") {
            return edges;
        }
        self.transition(at, name, object, &mut edges);
        edges
    }

    /// `Assign` where AWS documents it: "The following state types support `Assign` to declare and assign values
    /// to variables: Pass, Task, Map, Parallel, Choice, Wait" (and Choice rules and catchers, checked with them),
    /// <https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html>. Succeed and Fail end their
    /// scope, so nothing could read what they assign.
    fn state_assign(&mut self, at: &str, kind: &str, assign: &Value, language: QueryLanguage) {
        if ASSIGNING_TYPES.contains(&kind) {
            self.assign(at, assign, language);
        } else {
            self.report(
                Rule::UnknownField,
                at.to_owned(),
                format!("a {kind} state cannot assign variables (AWS allows `Assign` on {} states, Choice rules and catchers): move `Assign` to the state before it", ASSIGNING_TYPES.join(", ")),
            );
        }
    }

    /// `Next` xor `End: true`.
    fn transition(&mut self, at: &str, name: &str, object: &Map<String, Value>, edges: &mut Edges) {
        let end = match object.get("End") {
            None => false,
            Some(Value::Bool(end)) => *end,
            Some(_) => {
                self.report(
                    Rule::FieldType,
                    format!("{at}/End"),
                    "`End` must be `true` (or left out)".into(),
                );
                return;
            }
        };
        let next = self.string(at, object, "Next");
        match (next, end) {
            (Some(_), true) => self.report(
                Rule::NextAndEnd,
                format!("{at}/End"),
                format!("state `{name}` has both `Next` and `End: true`: keep one of them"),
            ),
            (Some(next), false) => {
                edges.terminal = false;
                edges.targets.push((format!("{at}/Next"), next.to_owned()));
            }
            (None, true) => {}
            (None, false) if object.contains_key("Next") => {}
            (None, false) => self.report(
                Rule::NoTransition,
                at.to_owned(),
                format!("state `{name}` has no transition: add `Next` naming the following state, or `End: true`"),
            ),
        }
    }

    /// InputPath, OutputPath, Parameters, ResultSelector, ResultPath, Arguments, Output.
    fn io(&mut self, at: &str, object: &Map<String, Value>, language: QueryLanguage) {
        for key in ["InputPath", "OutputPath"] {
            if let Some(value) = object.get(key) {
                self.path_or_null(&format!("{at}/{key}"), key, value, false);
            }
        }
        if let Some(value) = object.get("ResultPath") {
            self.path_or_null(&format!("{at}/ResultPath"), "ResultPath", value, true);
        }
        for key in ["Parameters", "ResultSelector", "ItemSelector"] {
            if let Some(value) = object.get(key) {
                if language == QueryLanguage::JsonPath || key == "ItemSelector" {
                    self.template_field(&format!("{at}/{key}"), value, language);
                }
            }
        }
        for key in ["Arguments", "Output"] {
            if let Some(value) = object.get(key) {
                self.jsonata_value(&format!("{at}/{key}"), value);
            }
        }
    }

    fn task(&mut self, at: &str, object: &Map<String, Value>, language: QueryLanguage) {
        if let Some(resource) = self.required_string(at, object, "Resource", "a Task state") {
            self.resource(&format!("{at}/Resource"), resource);
            if resource.ends_with(".waitForTaskToken") {
                self.passes_task_token(at, object, language);
            }
        }
        let timeout = self.seconds_pair(at, object, "TimeoutSeconds", language);
        let heartbeat = self.seconds_pair(at, object, "HeartbeatSeconds", language);
        if let (Some(timeout), Some(heartbeat)) = (timeout, heartbeat) {
            if heartbeat >= timeout {
                self.report(
                    Rule::HeartbeatNotBelowTimeout,
                    format!("{at}/HeartbeatSeconds"),
                    format!("HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})"),
                );
            }
        }
        if let Some(credentials) = object.get("Credentials") {
            self.credentials(&format!("{at}/Credentials"), credentials, language);
        }
    }

    /// `Credentials`: the role to assume, and nothing else. The Task state's page documents one field, `RoleArn`
    /// (a JSONPath state may take it from a path or an intrinsic as `RoleArn.$`; a JSONata state writes `{% %}`):
    /// <https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html#task-state-fields>.
    fn credentials(&mut self, at: &str, credentials: &Value, language: QueryLanguage) {
        let Some(fields) = credentials.as_object() else {
            self.report(
                Rule::FieldType,
                at.to_owned(),
                "`Credentials` must be an object: `{ \"RoleArn\": \"arn:aws:iam::123456789012:role/Name\" }`".into(),
            );
            return;
        };
        let keys: &[&str] = match language {
            QueryLanguage::JsonPath => &["RoleArn", "RoleArn.$"],
            QueryLanguage::Jsonata => &["RoleArn"],
        };
        for key in fields.keys().filter(|k| !keys.contains(&k.as_str())) {
            self.report(
                Rule::UnknownField,
                format!("{at}/{}", super::fields::escape(key)),
                format!(
                    "`Credentials` holds only the role to assume: replace `{key}` with {}",
                    super::fields::list(keys).replace(" and ", " or ")
                ),
            );
        }
        if fields.is_empty() {
            self.report(
                Rule::MissingField,
                at.to_owned(),
                format!(
                    "`Credentials` needs {}",
                    super::fields::list(keys).replace(" and ", " or ")
                ),
            );
        }
        self.one_of(at, fields, keys, false, "`Credentials`");
        self.template_field(at, credentials, language);
    }

    /// A `.waitForTaskToken` task waits until something calls back with its token, so it must hand the token on.
    fn passes_task_token(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        language: QueryLanguage,
    ) {
        let (key, token) = match language {
            QueryLanguage::JsonPath => ("Parameters", "$$.Task.Token"),
            QueryLanguage::Jsonata => ("Arguments", "$states.context.Task.Token"),
        };
        let passes = object
            .get(key)
            .is_some_and(|value| value.to_string().contains(token));
        if !passes {
            self.report(
                Rule::FieldValue,
                format!("{at}/Resource"),
                format!("a `.waitForTaskToken` task must pass its task token on, or nothing can resume it: put `{token}` in `{key}`"),
            );
        }
    }

    /// `X` (a positive whole number, or a JSONata expression) and `XPath`: at most one; returns the literal.
    fn seconds_pair(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        key: &str,
        language: QueryLanguage,
    ) -> Option<i64> {
        let path_key = format!("{key}Path");
        self.one_of(at, object, &[key, path_key.as_str()], false, key);
        if let Some(path) = object.get(&path_key) {
            self.reference_path_field(&format!("{at}/{path_key}"), &path_key, path);
        }
        match object.get(key) {
            Some(Value::String(s)) if language == QueryLanguage::Jsonata && is_jsonata(s) => {
                self.jsonata_value(&format!("{at}/{key}"), &Value::String(s.clone()));
                None
            }
            Some(_) => self.integer(at, object, key, 1..=MAX_SECONDS),
            None => None,
        }
    }

    fn wait(&mut self, at: &str, object: &Map<String, Value>, language: QueryLanguage) {
        let keys: &[&str] = match language {
            QueryLanguage::JsonPath => &["Seconds", "SecondsPath", "Timestamp", "TimestampPath"],
            QueryLanguage::Jsonata => &["Seconds", "Timestamp"],
        };
        match self.one_of(at, object, keys, true, "a Wait state") {
            Some("Seconds") => match object.get("Seconds") {
                Some(seconds @ Value::String(s))
                    if language == QueryLanguage::Jsonata && is_jsonata(s) =>
                {
                    self.jsonata_value(&format!("{at}/Seconds"), seconds);
                }
                _ => {
                    self.integer(at, object, "Seconds", 0..=MAX_SECONDS);
                }
            },
            Some("Timestamp") => {
                match object.get("Timestamp") {
                    Some(timestamp @ Value::String(s))
                        if language == QueryLanguage::Jsonata && is_jsonata(s) =>
                    {
                        self.jsonata_value(&format!("{at}/Timestamp"), timestamp);
                    }
                    Some(Value::String(s)) => {
                        if !crate::timestamp::is_valid(s) {
                            self.report(Rule::FieldValue, format!("{at}/Timestamp"), format!("`{s}` is not an RFC 3339 timestamp such as `2026-01-31T09:00:00Z`"));
                        }
                    }
                    _ => self.report(
                        Rule::FieldType,
                        format!("{at}/Timestamp"),
                        "`Timestamp` must be a string".into(),
                    ),
                }
            }
            Some(path_key @ ("SecondsPath" | "TimestampPath")) => {
                if let Some(value) = object.get(path_key) {
                    self.reference_path_field(&format!("{at}/{path_key}"), path_key, value);
                }
            }
            _ => {}
        }
    }

    fn fail(&mut self, at: &str, object: &Map<String, Value>, language: QueryLanguage) {
        for key in ["Error", "Cause"] {
            let path_key = format!("{key}Path");
            self.one_of(at, object, &[key, path_key.as_str()], false, key);
            self.string(at, object, key);
            if let (QueryLanguage::Jsonata, Some(value)) = (language, object.get(key)) {
                self.jsonata_value(&format!("{at}/{key}"), value);
            }
            if let Some(value) = object.get(&path_key) {
                // ErrorPath and CausePath take a reference path or an intrinsic function.
                match value.as_str() {
                    Some(s) if crate::intrinsic::looks_like_call(s) => {
                        self.intrinsic(&format!("{at}/{path_key}"), s)
                    }
                    _ => self.reference_path_field(&format!("{at}/{path_key}"), &path_key, value),
                }
            }
        }
    }

    fn parallel(&mut self, at: &str, object: &Map<String, Value>, language: QueryLanguage) {
        match object.get("Branches") {
            Some(Value::Array(branches)) if !branches.is_empty() => {
                for (i, branch) in branches.iter().enumerate() {
                    let branch_at = format!("{at}/Branches/{i}");
                    match branch.as_object() {
                        Some(branch) => {
                            let language = self.query_language(&branch_at, branch, language, false);
                            self.scope(&branch_at, branch, language)
                        }
                        None => self.report(
                            Rule::FieldType,
                            branch_at,
                            "a branch is an object with `StartAt` and `States`".into(),
                        ),
                    }
                }
            }
            Some(_) => self.report(
                Rule::FieldValue,
                format!("{at}/Branches"),
                "`Branches` must be a non-empty array of branches".into(),
            ),
            None => self.report(
                Rule::MissingField,
                at.to_owned(),
                "a Parallel state needs `Branches`".into(),
            ),
        }
    }

    fn map(&mut self, at: &str, object: &Map<String, Value>, language: QueryLanguage) {
        let processor_key = self.one_of(
            at,
            object,
            &["ItemProcessor", "Iterator"],
            true,
            "a Map state",
        );
        let mut distributed = false;
        if let Some(key) = processor_key {
            let processor_at = format!("{at}/{key}");
            match object.get(key).and_then(Value::as_object) {
                Some(processor) => {
                    distributed = self.processor_config(&processor_at, processor, key);
                    let language = self.query_language(&processor_at, processor, language, false);
                    self.scope(&processor_at, processor, language);
                }
                None => self.report(
                    Rule::FieldType,
                    processor_at,
                    format!("`{key}` is an object with `StartAt` and `States`"),
                ),
            }
        }
        self.one_of(
            at,
            object,
            &["ItemSelector", "Parameters"],
            false,
            "a Map state's item selection",
        );
        if let Some(items_path) = object.get("ItemsPath") {
            self.reference_path_field(&format!("{at}/ItemsPath"), "ItemsPath", items_path);
        }
        if let Some(items) = object.get("Items") {
            match items {
                Value::Array(_) => self.jsonata_value(&format!("{at}/Items"), items),
                Value::String(s) if is_jsonata(s) => {
                    self.jsonata_value(&format!("{at}/Items"), items)
                }
                _ => self.report(
                    Rule::FieldType,
                    format!("{at}/Items"),
                    "`Items` must be an array or a JSONata expression `{% ... %}`".into(),
                ),
            }
        }
        self.bounded_pair(at, object, "MaxConcurrency", 0, None, language);
        self.bounded_pair(
            at,
            object,
            "ToleratedFailurePercentage",
            0,
            Some(100),
            language,
        );
        self.bounded_pair(at, object, "ToleratedFailureCount", 0, None, language);
        if let Some(label) = self.string(at, object, "Label") {
            let count = label.chars().count();
            if count > MAX_LABEL_CHARS {
                self.report(
                    Rule::FieldValue,
                    format!("{at}/Label"),
                    format!(
                        "`Label` is {count} characters long; AWS allows at most {MAX_LABEL_CHARS}"
                    ),
                );
            }
            if let Some(bad) = label.chars().find(|c| {
                c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(*c)
            }) {
                self.report(
                    Rule::FieldValue,
                    format!("{at}/Label"),
                    format!("`Label` cannot contain `{}`", bad.escape_debug()),
                );
            }
        }
        const DISTRIBUTED_ONLY: &[&str] = &[
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "Label",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
        ];
        for &key in DISTRIBUTED_ONLY {
            if object.contains_key(key) && !distributed {
                self.report(Rule::FieldValue, format!("{at}/{key}"), format!("`{key}` needs a distributed Map: set `ProcessorConfig: {{ Mode: \"DISTRIBUTED\" }}`"));
            }
        }
        if let Some(batcher) = object.get("ItemBatcher") {
            self.item_batcher(&format!("{at}/ItemBatcher"), batcher, language);
        }
        for key in ["ItemReader", "ResultWriter"] {
            if let Some(value) = object.get(key) {
                self.resource_config(&format!("{at}/{key}"), key, value, language);
            }
        }
    }

    /// `ProcessorConfig` of a Map's processor; returns whether the Map is distributed.
    fn processor_config(&mut self, at: &str, processor: &Map<String, Value>, key: &str) -> bool {
        let Some(config) = processor.get("ProcessorConfig") else {
            return false;
        };
        let config_at = format!("{at}/ProcessorConfig");
        let Some(config) = config.as_object() else {
            self.report(
                Rule::FieldType,
                config_at,
                "`ProcessorConfig` must be an object".into(),
            );
            return false;
        };
        for field in config
            .keys()
            .filter(|k| !["Mode", "ExecutionType"].contains(&k.as_str()))
        {
            self.report(Rule::UnknownField, format!("{config_at}/{field}"), format!("unknown field `{field}` in ProcessorConfig: expected `Mode` and `ExecutionType`"));
        }
        let mode = self.string(&config_at, config, "Mode").unwrap_or("INLINE");
        if !["INLINE", "DISTRIBUTED"].contains(&mode) {
            self.report(
                Rule::FieldValue,
                format!("{config_at}/Mode"),
                format!("`Mode` must be \"INLINE\" or \"DISTRIBUTED\", not \"{mode}\""),
            );
        }
        let distributed = mode == "DISTRIBUTED";
        if key == "Iterator" && distributed {
            self.report(
                Rule::FieldValue,
                format!("{config_at}/Mode"),
                "a distributed Map uses `ItemProcessor`, not the older `Iterator`".into(),
            );
        }
        match (
            self.string(&config_at, config, "ExecutionType"),
            distributed,
        ) {
            (Some(kind), true) if !["STANDARD", "EXPRESS"].contains(&kind) => {
                self.report(
                    Rule::FieldValue,
                    format!("{config_at}/ExecutionType"),
                    format!("`ExecutionType` must be \"STANDARD\" or \"EXPRESS\", not \"{kind}\""),
                );
            }
            (None, true) => self.report(
                Rule::MissingField,
                config_at.clone(),
                "a distributed Map needs `ExecutionType`: \"STANDARD\" or \"EXPRESS\"".into(),
            ),
            (Some(_), false) => self.report(
                Rule::FieldValue,
                format!("{config_at}/ExecutionType"),
                "`ExecutionType` is for a distributed Map only".into(),
            ),
            _ => {}
        }
        distributed
    }

    /// `X` (a number in `min..=max`, or a JSONata expression) and `XPath`: at most one.
    fn bounded_pair(
        &mut self,
        at: &str,
        object: &Map<String, Value>,
        key: &str,
        min: i64,
        max: Option<i64>,
        language: QueryLanguage,
    ) {
        let path_key = format!("{key}Path");
        self.one_of(at, object, &[key, path_key.as_str()], false, key);
        if let Some(path) = object.get(&path_key) {
            self.reference_path_field(&format!("{at}/{path_key}"), &path_key, path);
        }
        match object.get(key) {
            Some(value @ Value::String(s))
                if language == QueryLanguage::Jsonata && is_jsonata(s) =>
            {
                self.jsonata_value(&format!("{at}/{key}"), value);
            }
            Some(Value::Number(n)) if key == "ToleratedFailurePercentage" => {
                let value = n.as_f64().unwrap_or(-1.0);
                if !(0.0..=100.0).contains(&value) {
                    self.report(
                        Rule::FieldValue,
                        format!("{at}/{key}"),
                        format!("`{key}` must be between 0 and 100, not {n}"),
                    );
                }
            }
            Some(_) => {
                self.integer(at, object, key, min..=max.unwrap_or(MAX_SECONDS));
            }
            None => {}
        }
    }

    fn item_batcher(&mut self, at: &str, batcher: &Value, language: QueryLanguage) {
        let Some(batcher) = batcher.as_object() else {
            self.report(
                Rule::FieldType,
                at.to_owned(),
                "`ItemBatcher` must be an object".into(),
            );
            return;
        };
        let known = [
            "MaxItemsPerBatch",
            "MaxItemsPerBatchPath",
            "MaxInputBytesPerBatch",
            "MaxInputBytesPerBatchPath",
            "BatchInput",
        ];
        for key in batcher.keys().filter(|k| !known.contains(&k.as_str())) {
            self.report(
                Rule::UnknownField,
                format!("{at}/{key}"),
                format!("unknown field `{key}` in ItemBatcher"),
            );
        }
        let has_limit = known[..4].iter().any(|k| batcher.contains_key(*k));
        if !has_limit {
            self.report(Rule::MissingField, at.to_owned(), "`ItemBatcher` needs a limit: `MaxItemsPerBatch` or `MaxInputBytesPerBatch` (or their `...Path` forms)".into());
        }
        self.bounded_pair(at, batcher, "MaxItemsPerBatch", 1, None, language);
        self.bounded_pair(
            at,
            batcher,
            "MaxInputBytesPerBatch",
            1,
            Some(262_144),
            language,
        );
        if let Some(input) = batcher.get("BatchInput") {
            self.template_field(&format!("{at}/BatchInput"), input, language);
        }
    }

    fn resource_config(&mut self, at: &str, key: &str, value: &Value, language: QueryLanguage) {
        let Some(object) = value.as_object() else {
            self.report(
                Rule::FieldType,
                at.to_owned(),
                format!("`{key}` must be an object"),
            );
            return;
        };
        let config = if key == "ItemReader" {
            "ReaderConfig"
        } else {
            "WriterConfig"
        };
        let (arguments, other) = match language {
            QueryLanguage::JsonPath => ("Parameters", "Arguments"),
            QueryLanguage::Jsonata => ("Arguments", "Parameters"),
        };
        let known = ["Resource", config, arguments];
        self.unknown_fields(at, object, &format!("`{key}`"), &known, &[other], language);
        if key == "ItemReader" || object.contains_key("Resource") {
            if let Some(resource) =
                self.required_string(at, object, "Resource", &format!("`{key}`"))
            {
                self.resource(&format!("{at}/Resource"), resource);
            }
        }
        for key in ["Parameters", "Arguments"] {
            if let Some(value) = object.get(key) {
                self.template_field(&format!("{at}/{key}"), value, language);
            }
        }
        if let Some(config) = object.get("ReaderConfig").and_then(Value::as_object) {
            let reader_at = format!("{at}/ReaderConfig");
            self.one_of(
                &reader_at,
                config,
                &["MaxItems", "MaxItemsPath"],
                false,
                "MaxItems",
            );
            if config.contains_key("MaxItems") {
                self.integer(&reader_at, config, "MaxItems", 0..=MAX_SECONDS);
            }
        }
    }
}

/// A JSONata expression string: `{% ... %}`.
pub(crate) fn is_jsonata(text: &str) -> bool {
    crate::jsonata_text::expression_body(text).is_some()
}
