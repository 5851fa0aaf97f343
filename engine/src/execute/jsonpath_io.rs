//! JSONPath's stage, in AWS's order: `InputPath` → `Parameters` → the work → `ResultSelector` → `Assign` →
//! `ResultPath` → `OutputPath`; a Map's `ItemsPath` and `ItemSelector`; a Choice's rules (crate::choice); a catcher's
//! `ResultPath` and `Assign`. Paths and templates read through [`super::context::StateResolver`].

use super::stage::{Assigned, Input, Stage};
use super::work::decide;
use super::{Cx, Execution, Frame};
use crate::dataflow::{apply_result_path, bracketed, size_failure};
use crate::errors::error_output;
use crate::jsonpath::{Query, Select, Selection};
use crate::machine::{Branch, Catcher, Condition, Io, Kind, MapState, State};
use crate::template::Fill;
use crate::template::{Resolver, Template};
use crate::Failure;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use stepfn_asl::path::Root;

/// The stage of states in `QueryLanguage: "JSONPath"` (the default).
pub(super) struct JsonPath;

impl Stage for JsonPath {
    #[inline]
    fn input(&self, cx: Cx<'_>, state: &State, raw: &Value) -> Result<Option<Value>, Failure> {
        let selected = match (&state.kind, &state.input_path) {
            // A Fail state has no InputPath: its ErrorPath and CausePath read the raw input.
            (Kind::Fail { .. }, _) | (_, Io::Whole) => None,
            (_, Io::Null) => Some(json!({})),
            (_, Io::Path(query)) => Some(cx.select_io(query, raw)?),
        };
        if !matches!(state.kind, Kind::Fail { .. }) {
            cx.ex
                .inspect(|i| i.after_input_path = Some(selected.as_ref().unwrap_or(raw).clone()));
        }
        Ok(selected)
    }

    /// `Parameters`, or the effective input.
    #[inline]
    fn arguments(&self, cx: Cx<'_>, state: &State, effective: &Value) -> Result<Value, Failure> {
        let Some(template) = &state.parameters else {
            cx.ex
                .inspect(|i| i.after_parameters = Some(effective.clone()));
            return Ok(effective.clone());
        };
        let input = template.evaluate(&cx.resolver(effective))?;
        // "After Parameters processing, the input of a state is larger than the payload quota."
        match size_failure(&input, || format!("the input of state '{}'", state.name)) {
            Some(failure) => Err(failure),
            None => {
                cx.ex.inspect(|i| i.after_parameters = Some(input.clone()));
                Ok(input)
            }
        }
    }

    /// `Result`, else the input through `Parameters` (evaluated beside a `Result` too, for its errors).
    #[inline]
    fn pass(
        &self,
        cx: Cx<'_>,
        state: &State,
        result: Option<&Value>,
        effective: &Value,
    ) -> Result<Option<Value>, Failure> {
        match result {
            Some(result) => {
                if state.parameters.is_some() {
                    self.arguments(cx, state, effective)?;
                }
                Ok(Some(result.clone()))
            }
            None => self.arguments(cx, state, effective).map(Some),
        }
    }

    /// `ItemsPath`: a path on the input selects in place; other roots (`$$`, variables) copy.
    fn items<'v>(
        &self,
        cx: Cx<'_>,
        map: &MapState,
        effective: &'v Value,
    ) -> Result<Option<Cow<'v, Value>>, Failure> {
        let items = match &map.items_path {
            Io::Whole => Some(Cow::Borrowed(effective)),
            Io::Null => None,
            Io::Path(query) if query.path.root == Root::Input => match query.select(effective) {
                Selection::One(node) => node.map(Cow::Borrowed),
                many => many.into_value().map(Cow::Owned),
            },
            Io::Path(query) => cx.resolver(effective).select(query).map(Cow::Owned),
        };
        cx.ex
            .inspect(|i| i.after_items_path = items.as_deref().cloned());
        Ok(items)
    }

    /// `ItemSelector` (or the older `Parameters`), which reads `$$.Map.Item`; else the item itself.
    fn item(
        &self,
        cx: Cx<'_>,
        map: &MapState,
        effective: &Value,
        index: usize,
        item: &Value,
    ) -> Result<Value, Failure> {
        match &map.item_selector {
            Some(selector) => selector.evaluate(&cx.ex.resolver(
                effective,
                cx.frame,
                cx.info,
                Some((index, item)),
            )),
            None => Ok(item.clone()),
        }
    }

    /// The first rule that matches, the state's `Assign` and then the rule's, both on the effective input, and
    /// `OutputPath`; a Choice has no result.
    fn choose(
        &self,
        cx: Cx<'_>,
        state: &State,
        choices: &[Branch],
        default: Option<usize>,
        input: &mut Input<'_>,
    ) -> Result<(usize, Value, Map<String, Value>), Failure> {
        let effective = input.effective();
        let (chosen, target) = decide(state, choices, default, |_, branch| {
            match &branch.condition {
                Condition::Rule(rule) => {
                    let resolver = cx.resolver(effective);
                    crate::choice::evaluate(rule, &mut |path| resolver.select_path(path))
                }
                Condition::Jsonata(_) => Ok(false),
            }
        })?;
        let mut assigned = match &state.assign {
            Some(assign) => cx.assign(assign, effective)?,
            None => Map::new(),
        };
        if let Some(assign) = chosen.and_then(|b| b.assign.as_ref()) {
            assigned.extend(cx.assign(assign, effective)?);
        }
        let output = cx.output_path(&state.output_path, input.take_effective())?;
        Ok((target, output, assigned))
    }

    /// `ResultSelector`, then `Assign` on the selected result (or, for states without one, on the effective
    /// input), then `ResultPath` placing the result into the raw input, then `OutputPath`.
    #[inline]
    fn output(
        &self,
        cx: Cx<'_>,
        state: &State,
        input: &mut Input<'_>,
        result: Option<Value>,
    ) -> Result<(Value, Assigned), Failure> {
        let assign = |from: &Value| match &state.assign {
            Some(assign) => cx.assign(assign, from).map(Some),
            None => Ok(None),
        };
        let (output, assigned) = match result {
            Some(result) => {
                let result = match &state.result_selector {
                    Some(selector) => selector.evaluate(&cx.resolver(&result))?,
                    None => result,
                };
                cx.ex
                    .inspect(|i| i.after_result_selector = Some(result.clone()));
                let assigned = assign(&result)?;
                let raw = match state.result_path {
                    Io::Whole => Value::Null,
                    _ => input.take_raw(),
                };
                let output = apply_result_path(&state.result_path, raw, result, &state.name)?;
                cx.ex
                    .inspect(|i| i.after_result_path = Some(output.clone()));
                (output, assigned)
            }
            None => {
                let assigned = assign(input.effective())?;
                (input.take_effective(), assigned)
            }
        };
        Ok((cx.output_path(&state.output_path, output)?, assigned))
    }

    /// The error output at the catcher's `ResultPath` in the state's input; its `Assign` reads the error output.
    fn caught(
        &self,
        cx: Cx<'_>,
        state: &State,
        catcher: &Catcher,
        input: Value,
        failure: &Failure,
    ) -> Result<(Value, Assigned), Failure> {
        let error_output = error_output(failure);
        let output = apply_result_path(
            &catcher.result_path,
            input,
            error_output.clone(),
            &state.name,
        )?;
        let assigned = match &catcher.assign {
            Some(assign) => Some(cx.assign(assign, &error_output)?),
            None => None,
        };
        Ok((output, assigned))
    }

    fn failed(&self, _: &Execution<'_>, _: &State, _: &Failure, _: &mut Frame) {}
}

impl Cx<'_> {
    /// `Assign` evaluated on `input`: the variables it sets.
    fn assign(&self, assign: &Template, input: &Value) -> Result<Map<String, Value>, Failure> {
        match assign.evaluate(&self.resolver(input))? {
            Value::Object(map) => Ok(map),
            _ => Ok(Map::new()),
        }
    }

    /// `OutputPath` on the state's output.
    fn output_path(&self, io: &Io, output: Value) -> Result<Value, Failure> {
        match io {
            Io::Whole => Ok(output),
            Io::Null => Ok(json!({})),
            Io::Path(query) => self.select_io(query, &output),
        }
    }

    /// What an `InputPath` or `OutputPath` selects from `document`, which must be something.
    fn select_io(&self, query: &Query, document: &Value) -> Result<Value, Failure> {
        self.resolver(document).select(query).ok_or_else(|| {
            self.info.error(format!(
                "Invalid path '{}' : No results for path: {}",
                query.text,
                bracketed(&query.text)
            ))
        })
    }
}
