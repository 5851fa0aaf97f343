//! JSONata's stage: the work reads the whole input; `Arguments` → the work → `Assign` and `Output` (default: the
//! result, or the input for states without one), both reading the same `$states`; a Map's `Items` and
//! `ItemSelector`; a Choice's `Condition`s; a catcher's `Assign` and `Output` over `$states.errorOutput`. A failed
//! expression is recorded as an `EvaluationFailed` event.

use super::stage::{Assigned, Input, Stage};
use super::work::decide;
use super::{Cx, Execution, Frame, StateInfo};
use crate::errors::{error_output, failure_details};
use crate::failure::names;
use crate::jsonata::{Evaluate, JValue, Scope};
use crate::machine::{Branch, Catcher, Condition, JsonataFields, MapState, State};
use crate::Failure;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// The stage of states in `QueryLanguage: "JSONata"`, with the state's `Arguments`, `Output` and `Assign`.
pub(super) struct Jsonata<'f>(pub &'f JsonataFields);

impl Stage for Jsonata<'_> {
    fn input(&self, _: Cx<'_>, _: &State, _: &Value) -> Result<Option<Value>, Failure> {
        Ok(None)
    }

    /// `Arguments`, or the input.
    fn arguments(&self, cx: Cx<'_>, _: &State, input: &Value) -> Result<Value, Failure> {
        let arguments = match &self.0.arguments {
            Some(arguments) => cx.jsonata(arguments, "Arguments", input, None)?,
            None => input.clone(),
        };
        cx.ex
            .inspect(|i| i.after_arguments = Some(arguments.clone()));
        Ok(arguments)
    }

    /// A JSONata Pass has no result: its `Output` reads `$states.input`.
    fn pass(
        &self,
        _: Cx<'_>,
        _: &State,
        _: Option<&Value>,
        _: &Value,
    ) -> Result<Option<Value>, Failure> {
        Ok(None)
    }

    /// `Items`, or the input; either must be an array.
    fn items<'v>(
        &self,
        cx: Cx<'_>,
        map: &MapState,
        input: &'v Value,
    ) -> Result<Option<Cow<'v, Value>>, Failure> {
        let items = match &map.items_jsonata {
            Some(items) => Cow::Owned(cx.jsonata(items, "Items", input, None)?),
            None => Cow::Borrowed(input),
        };
        if !items.is_array() {
            return Err(Failure::new(
                names::QUERY_EVALUATION_ERROR,
                format!(
                    "{}Map state input must be an array but was: {items}",
                    cx.info.preamble()
                ),
            ));
        }
        Ok(Some(items))
    }

    /// `ItemSelector`, which reads `$states.context.Map.Item`; else the item itself.
    fn item(
        &self,
        cx: Cx<'_>,
        map: &MapState,
        input: &Value,
        index: usize,
        item: &Value,
    ) -> Result<Value, Failure> {
        match &map.item_selector_jsonata {
            Some(selector) => cx.jsonata(selector, "ItemSelector", input, Some((index, item))),
            None => Ok(item.clone()),
        }
    }

    /// The first rule whose `Condition` is true; the state's `Assign` and then the rule's, and the rule's `Output`
    /// (else the state's, else the input), all over one `$states`.
    fn choose(
        &self,
        cx: Cx<'_>,
        state: &State,
        choices: &[Branch],
        default: Option<usize>,
        input: &mut Input<'_>,
    ) -> Result<(usize, Value, Map<String, Value>), Failure> {
        let preamble = cx.info.preamble();
        let scope = cx.scope(input.effective(), None, None, None);
        let (chosen, target) = decide(state, choices, default, |i, branch| {
            match &branch.condition {
                Condition::Jsonata(condition) => {
                    match condition.evaluate(&format!("Choices[{i}].Condition"), &scope, &preamble)? {
                    Value::Bool(matched) => Ok(matched),
                    other => Err(Failure::new(
                        names::QUERY_EVALUATION_ERROR,
                        format!(
                            "{preamble}The Condition of choice rule {i} must be a boolean, not {other}"
                        ),
                    )),
                }
                }
                Condition::Rule(_) => Ok(false),
            }
        })?;
        let rule = chosen.and_then(|b| b.jsonata.as_ref());
        let mut assigned = assign(self.0.assign.as_ref(), &scope, cx.info)?.unwrap_or_default();
        if let Some(rule_assigned) = assign(rule.and_then(|r| r.assign.as_ref()), &scope, cx.info)?
        {
            assigned.extend(rule_assigned);
        }
        let output = match rule
            .and_then(|r| r.output.as_ref())
            .or(self.0.output.as_ref())
        {
            Some(output) => output.evaluate("Output", &scope, &preamble)?,
            None => input.take_effective(),
        };
        Ok((target, output, assigned))
    }

    /// `Assign` and `Output` over `$states.input` and `$states.result`.
    fn output(
        &self,
        cx: Cx<'_>,
        _: &State,
        input: &mut Input<'_>,
        result: Option<Value>,
    ) -> Result<(Value, Assigned), Failure> {
        let scope = cx.scope(input.effective(), result.as_ref(), None, None);
        let assigned = assign(self.0.assign.as_ref(), &scope, cx.info)?;
        let output = match &self.0.output {
            Some(output) => output.evaluate("Output", &scope, &cx.info.preamble())?,
            None => result.unwrap_or_else(|| input.take_effective()),
        };
        Ok((output, assigned))
    }

    /// The catcher's `Assign` and `Output` (default: the error output) over `$states.errorOutput`.
    fn caught(
        &self,
        cx: Cx<'_>,
        _: &State,
        catcher: &Catcher,
        input: Value,
        failure: &Failure,
    ) -> Result<(Value, Assigned), Failure> {
        let fields = catcher.jsonata.as_ref();
        let error_output = error_output(failure);
        let scope = cx.scope(&input, None, Some(&error_output), None);
        let assigned = assign(fields.and_then(|f| f.assign.as_ref()), &scope, cx.info)?;
        let output = match fields.and_then(|f| f.output.as_ref()) {
            Some(output) => output.evaluate("Output", &scope, &cx.info.preamble())?,
            None => error_output,
        };
        Ok((output, assigned))
    }

    /// AWS records a failed expression as its own event before the state's failure is handled.
    fn failed(&self, ex: &Execution<'_>, state: &State, failure: &Failure, frame: &mut Frame) {
        if failure.error.as_deref() == Some(names::QUERY_EVALUATION_ERROR) {
            ex.event(frame, ("EvaluationFailed", ""), || {
                let mut details = failure_details(failure);
                details["state"] = json!(state.name);
                details
            });
        }
    }
}

impl Cx<'_> {
    /// What JSONata expressions of the state see: `$states` (input, result, errorOutput, context, with
    /// `context.Map.Item` for a Map's item) and the variables in scope. Each scope draws its own randomness from
    /// the execution's generator.
    fn scope(
        &self,
        input: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
        item: Option<(usize, &Value)>,
    ) -> Scope {
        let context = self
            .ex
            .resolver(input, self.frame, self.info, item)
            .context();
        let mut states = Map::new();
        states.insert("input".into(), input.clone());
        if let Some(result) = result {
            states.insert("result".into(), result.clone());
        }
        if let Some(error_output) = error_output {
            states.insert("errorOutput".into(), error_output.clone());
        }
        states.insert("context".into(), context);
        Scope::new(
            Value::Object(states),
            &self.frame.variables.all(),
            &self.ex.entropy,
        )
    }

    /// One JSONata field (`field` names it in errors) over `$states.input`, in a scope of its own.
    pub(super) fn jsonata(
        &self,
        value: &JValue,
        field: &str,
        input: &Value,
        item: Option<(usize, &Value)>,
    ) -> Result<Value, Failure> {
        let scope = self.scope(input, None, None, item);
        value.evaluate(field, &scope, &self.info.preamble())
    }
}

/// Evaluates a JSONata `Assign` into the variables it sets.
fn assign(
    assign: Option<&JValue>,
    scope: &Scope,
    info: &StateInfo<'_>,
) -> Result<Assigned, Failure> {
    match assign {
        Some(assign) => match assign.evaluate("Assign", scope, &info.preamble())? {
            Value::Object(map) => Ok(Some(map)),
            _ => Ok(None),
        },
        None => Ok(None),
    }
}
