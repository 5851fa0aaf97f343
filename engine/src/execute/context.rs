//! What a state's paths and intrinsic calls read besides its input: the context object (`$$`, built only when a path
//! reads it) and the variables in scope, through [`StateResolver`]; JSONata's `$states.context` is the same object.

use super::{Cx, Execution, Frame, StateInfo, ACCOUNT, REGION};
use crate::intrinsics::Entropy;
use crate::jsonpath::{Query, Select};
use crate::template::Resolver;
use serde_json::{json, Value};
use std::sync::MutexGuard;
use stepfn_asl::path::{Path, Root};

/// The context object and variables a state's paths read, besides its input.
pub(super) struct StateResolver<'r> {
    execution: &'r Execution<'r>,
    pub(super) input: &'r Value,
    pub(super) frame: &'r Frame,
    pub(super) info: &'r StateInfo<'r>,
    /// `$$.Map.Item` while a Map's `ItemSelector` is evaluated.
    item: Option<(usize, &'r Value)>,
}

impl Execution<'_> {
    /// What the paths of a state's fields read, with `input` as `$` (and `item` as `$$.Map.Item`).
    pub(super) fn resolver<'r>(
        &'r self,
        input: &'r Value,
        frame: &'r Frame,
        info: &'r StateInfo<'r>,
        item: Option<(usize, &'r Value)>,
    ) -> StateResolver<'r> {
        StateResolver {
            execution: self,
            input,
            frame,
            info,
            item,
        }
    }
}

impl Cx<'_> {
    /// What the paths of a state's fields read, with `input` as `$`.
    pub(super) fn resolver<'r>(&'r self, input: &'r Value) -> StateResolver<'r> {
        self.ex.resolver(input, self.frame, self.info, None)
    }
}

impl StateResolver<'_> {
    /// The context object `$$`, built afresh: it is only built when a path or expression reads it.
    pub(super) fn context(&self) -> Value {
        let execution = self.execution;
        let timestamp = |(s, n): (i64, u32)| stepfn_asl::timestamp::format_millis(s, n);
        let mut context = json!({
            "Execution": {
                "Id": execution.execution_arn(),
                "Input": execution.input,
                "Name": execution.name,
                "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/stepfn-local"),
                "StartTime": timestamp(execution.first_start),
                "RedriveCount": execution.options.resume.as_ref().map_or(0, |r| r.redrive_count)
            },
            "State": {
                "EnteredTime": timestamp(self.info.entered),
                "Name": self.info.name,
                "RetryCount": self.info.retry_count
            },
            "StateMachine": {
                "Id": format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{}", execution.machine.name),
                "Name": execution.machine.name
            },
            "Task": {
                "Token": execution.task_token(self.info)
            }
        });
        if execution.options.resume.is_some() {
            // A redriven execution also says when it was redriven (AWS's context object).
            context["Execution"]["RedriveTime"] = json!(timestamp(execution.start));
        }
        if let Some((index, value)) = self.item {
            context["Map"] = json!({"Item": {"Index": index, "Value": value}});
        }
        // TestState's `context` is laid over the made-up one.
        if let Some(given) = execution.test.as_ref().and_then(|t| t.context.as_ref()) {
            merge(&mut context, given);
        }
        context
    }

    fn root_of<'v>(&self, root: &Root, context: &'v mut Option<Value>) -> Option<&'v Value>
    where
        Self: 'v,
    {
        match root {
            Root::Input => Some(self.input),
            Root::Context => Some(context.insert(self.context())),
            Root::Variable(name) => self.frame.variables.get(name),
        }
    }
}

impl Resolver for StateResolver<'_> {
    fn select_path(&self, path: &Path) -> Option<Value> {
        let mut context = None;
        let root = self.root_of(&path.root, &mut context)?;
        match crate::jsonpath::walk_definite(path, root) {
            Some(node) => node.cloned(),
            None => crate::jsonpath::query("", path).select(root).into_value(),
        }
    }

    fn select(&self, query: &Query) -> Option<Value> {
        match &query.path.root {
            Root::Input => query.select(self.input).into_value(),
            Root::Context => query.select(&self.context()).into_value(),
            Root::Variable(name) => self
                .frame
                .variables
                .get(name)
                .and_then(|v| query.select(v).into_value()),
        }
    }

    fn describe(&self, query: &Query) -> String {
        match &query.path.root {
            Root::Input => self.input.to_string(),
            Root::Context => self.context().to_string(),
            Root::Variable(name) => self
                .frame
                .variables
                .get(name)
                .map(Value::to_string)
                .unwrap_or_else(|| format!("(no variable ${name})")),
        }
    }

    fn entropy(&self) -> MutexGuard<'_, Entropy> {
        self.execution
            .entropy
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

/// `over` laid onto `base`: objects merge key by key, anything else replaces.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, over) => *base = over.clone(),
    }
}
