//! The Map state's work: the items, each through its selector, optionally batched, run through the item processor at
//! most `MaxConcurrency` at a time, in order, with the tolerated failures; a distributed Map's iterations are child
//! executions whose events stay out of the parent's history.

use super::stage::Stage;
use super::{Execution, Frame, StateInfo, Variables};
use crate::errors::{error_output, failure_details};
use crate::failure::names;
use crate::machine::{Batcher, MapState, State};
use crate::template::Fill;
use crate::template::Resolver;
use crate::Failure;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Map, Value};

/// How many failed iterations a Map tolerates: `ToleratedFailureCount` and `ToleratedFailurePercentage` (or their
/// paths); without either, the first failure fails the state.
struct Tolerance {
    count: Option<u64>,
    percentage: Option<f64>,
}

impl Tolerance {
    fn any(&self) -> bool {
        self.count.is_some() || self.percentage.is_some()
    }

    fn allows(&self, failures: usize, length: usize) -> bool {
        let by_count = self.count.is_some_and(|n| failures as u64 <= n);
        let by_percentage = self
            .percentage
            .is_some_and(|p| (failures as f64) * 100.0 <= p * length as f64);
        by_count || by_percentage
    }
}

impl Execution<'_> {
    /// Runs a Map state on its effective input: the outputs of its iterations, in order.
    pub(super) async fn map(
        &self,
        stage: &impl Stage,
        state: &State,
        map: &MapState,
        effective: &Value,
        frame: &mut Frame,
        info: &StateInfo<'_>,
    ) -> Result<Value, Failure> {
        // The items are read in place (one copy per item, made below), unless the language builds a new array.
        let items = stage.items(self.cx(frame, info), map, effective)?;
        let items = match items.as_deref() {
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(info.error(format!(
                    "Map state input must be an array, but the items are {other}"
                )));
            }
            None => return Err(info.error("Map state's ItemsPath selects nothing")),
        };
        let max_concurrency = self
            .seconds(
                &map.max_concurrency,
                "MaxConcurrency",
                effective,
                frame,
                info,
            )?
            .unwrap_or(0);
        let tolerance = self.tolerance(map, effective, frame, info)?;
        let selected = items
            .iter()
            .enumerate()
            .map(|(index, item)| stage.item(self.cx(frame, info), map, effective, index, item))
            .collect::<Result<Vec<_>, _>>()?;
        self.inspect(|i| i.after_item_selector = Some(selected.clone()));
        let inputs = match &map.batcher {
            Some(batcher) => {
                let batches = self.batches(batcher, selected, effective, frame, info)?;
                self.inspect(|i| i.after_item_batcher = Some(batches.clone()));
                batches
            }
            None => selected,
        };
        if self.test.is_some() {
            self.inspect(|i| {
                i.tolerated_failure_count = tolerance.count;
                i.tolerated_failure_percentage = tolerance.percentage;
                if !matches!(map.max_concurrency, crate::machine::Seconds::None) {
                    i.max_concurrency = Some(max_concurrency);
                }
            });
            return self.mocked_map(items.len(), inputs.len(), &tolerance);
        }
        self.iterate(state, map, inputs, max_concurrency, tolerance, frame)
            .await
    }

    /// Under TestState, the mocked result or error stands for the iterations; with `mapIterationFailureCount`
    /// failed iterations the tolerance decides, as after real ones (test-state-isolation.html, "Map state failure
    /// thresholds"; without a tolerance, none is tolerated).
    fn mocked_map(
        &self,
        items: usize,
        iterations: usize,
        tolerance: &Tolerance,
    ) -> Result<Value, Failure> {
        let Some(test) = &self.test else {
            return Err(Failure::runtime(
                "a Map's iterations are mocked only under TestState",
            ));
        };
        let result = test.mock.clone().unwrap_or_else(|| {
            Err(test.refuse("TestState runs a Map state only with a mock".into()))
        })?;
        match test.map_failures {
            // "The value for this field cannot exceed the number of items in the input."
            Some(failures) if failures > items as u64 => Err(test.refuse(format!(
                "stateConfiguration.mapIterationFailureCount ({failures}) exceeds the number of items ({items})"
            ))),
            Some(failures)
                if failures > 0
                    && !(tolerance.any() && tolerance.allows(failures as usize, iterations)) =>
            {
                Err(Failure::new(
                    names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                    format!("The number of failed items ({failures} of {iterations}) exceeded the tolerated failure threshold"),
                ))
            }
            _ => Ok(result),
        }
    }

    /// The Map's tolerated failures (read after `MaxConcurrency`, before the items are selected).
    fn tolerance(
        &self,
        map: &MapState,
        effective: &Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Tolerance, Failure> {
        let count = self.seconds(
            &map.tolerated_count,
            "ToleratedFailureCount",
            effective,
            frame,
            info,
        )?;
        let Some(query) = &map.tolerated_percentage_path else {
            return Ok(Tolerance {
                count,
                percentage: map.tolerated_percentage,
            });
        };
        let value = self.resolver(effective, frame, info, None).select(query);
        match value
            .as_ref()
            .and_then(Value::as_f64)
            .filter(|p| (0.0..=100.0).contains(p))
        {
            Some(percentage) => Ok(Tolerance {
                count,
                percentage: Some(percentage),
            }),
            None => Err(info.error(format!(
                "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid percentage between 0 and 100: {}",
                value.map(|v| v.to_string()).unwrap_or_else(|| "null".into()),
                query.text
            ))),
        }
    }

    /// Runs the item processor on each input, at most `max_concurrency` at a time (0: all), keeping the outputs in
    /// order; a failed iteration's error output takes its place while the failures are tolerated.
    async fn iterate(
        &self,
        state: &State,
        map: &MapState,
        inputs: Vec<Value>,
        max_concurrency: u64,
        tolerance: Tolerance,
        frame: &mut Frame,
    ) -> Result<Value, Failure> {
        let length = inputs.len();
        self.event(frame, ("MapStateStarted", ""), || json!({"length": length}));
        let start_event = frame.last_event;
        if map.distributed {
            self.event(
                frame,
                ("MapRunStarted", ""),
                || json!({"mapRunArn": format!("{}/{}:local", self.execution_arn(), state.name)}),
            );
        }
        let outer = frame.variables.shared();
        let detached = frame.detached;
        let limit = if max_concurrency == 0 {
            length.max(1)
        } else {
            max_concurrency as usize
        };
        let name = &state.name;
        // The iterations started and not yet ended: those a failure of the Map aborts.
        let open = std::sync::Mutex::new(std::collections::BTreeSet::new());
        // The Map's iterations; after a redrive, those that succeeded before are not run again.
        let mut parts = super::parts::Parts::new(self, state, length);
        let todo: Vec<(usize, Value)> = (inputs.into_iter().enumerate())
            .filter(|(index, _)| !parts.done(*index))
            .collect();
        let iterations = stream::iter(todo).map(|(index, item)| {
            let outer = &outer;
            let open = &open;
            async move {
                let mut iteration = Frame {
                    variables: Variables::within(outer),
                    last_event: start_event,
                    detached: detached || map.distributed,
                };
                open.lock().unwrap_or_else(|e| e.into_inner()).insert(index);
                self.event(
                    &mut iteration,
                    ("MapIterationStarted", ""),
                    || json!({"name": name, "index": index}),
                );
                let result = self.run_scope(&map.processor, item, &mut iteration).await;
                open.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&index);
                let kind = if result.is_ok() {
                    "MapIterationSucceeded"
                } else {
                    "MapIterationFailed"
                };
                self.event(
                    &mut iteration,
                    (kind, ""),
                    || json!({"name": name, "index": index}),
                );
                (index, result, iteration.last_event)
            }
        });
        let tolerant = tolerance.any();
        let mut failures = 0usize;
        let mut first_failure = None;
        let mut last_event = start_event;
        // Iterations end in any order: "If any iteration fails [...] the entire Map state fails and all its
        // iterations are terminated" (States Language, Map State), so a failure past the tolerance is acted on when
        // it happens, not after the iterations before it.
        let mut runs = iterations.buffer_unordered(limit);
        let mut past_tolerance = false;
        while let Some((index, result, event)) = runs.next().await {
            last_event = last_event.max(event);
            match result {
                Ok(output) => parts.succeeded(index, output),
                Err(failure) => {
                    failures += 1;
                    parts.failed(index, error_output(&failure));
                    first_failure.get_or_insert(failure);
                    if !(tolerant && tolerance.allows(failures, length)) {
                        past_tolerance = true;
                        break;
                    }
                }
            }
        }
        drop(runs);
        frame.last_event = last_event;
        if past_tolerance && !map.distributed {
            // The iterations still running are stopped where they are (a distributed Map's are child executions,
            // whose events stay out of this history).
            let aborted = std::mem::take(&mut *open.lock().unwrap_or_else(|e| e.into_inner()));
            for index in aborted {
                self.event(
                    frame,
                    ("MapIterationAborted", ""),
                    || json!({"name": name, "index": index}),
                );
            }
        }
        if let Some(failure) = first_failure.filter(|_| past_tolerance) {
            let failure = if tolerant {
                Failure::new(
                    names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                    format!("The number of failed items ({failures} of {length}) exceeded the tolerated failure threshold"),
                )
            } else {
                failure
            };
            if map.distributed {
                self.event(frame, ("MapRunFailed", ""), || failure_details(&failure));
            }
            self.event(frame, ("MapStateFailed", ""), || failure_details(&failure));
            return Err(failure);
        }
        // Every iteration ended (none was left past the tolerance), so every part has its output.
        let outputs = parts
            .outputs()
            .ok_or_else(|| Failure::runtime("a Map iteration ended without a result"))?;
        if map.distributed {
            self.event(frame, ("MapRunSucceeded", ""), || Value::Null);
        }
        self.event(frame, ("MapStateSucceeded", ""), || Value::Null);
        Ok(Value::Array(outputs))
    }

    /// `ItemBatcher`: the selected items grouped into `{"BatchInput": ..., "Items": [...]}` inputs, each at most
    /// `MaxItemsPerBatch` items and `MaxInputBytesPerBatch` bytes of items.
    fn batches(
        &self,
        batcher: &Batcher,
        items: Vec<Value>,
        effective: &Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Vec<Value>, Failure> {
        let max_items = self.seconds(
            &batcher.max_items,
            "MaxItemsPerBatch",
            effective,
            frame,
            info,
        )?;
        let max_bytes = self.seconds(
            &batcher.max_bytes,
            "MaxInputBytesPerBatch",
            effective,
            frame,
            info,
        )?;
        let batch_input = match (&batcher.batch_input, &batcher.batch_input_jsonata) {
            (Some(template), _) => {
                Some(template.evaluate(&self.resolver(effective, frame, info, None))?)
            }
            (None, Some(value)) => Some(self.cx(frame, info).jsonata(
                value,
                "ItemBatcher.BatchInput",
                effective,
                None,
            )?),
            (None, None) => None,
        };
        let mut batches: Vec<Vec<Value>> = Vec::new();
        let mut bytes = 0u64;
        for item in items {
            let size = item.to_string().len() as u64;
            let full = batches.last().is_none_or(|batch| {
                max_items.is_some_and(|n| batch.len() as u64 >= n.max(1))
                    || max_bytes.is_some_and(|n| bytes + size > n && !batch.is_empty())
            });
            if full {
                batches.push(Vec::new());
                bytes = 0;
            }
            bytes += size;
            batches
                .last_mut()
                .expect("a batch was just pushed")
                .push(item);
        }
        Ok(batches
            .into_iter()
            .map(|items| {
                let mut batch = Map::new();
                if let Some(input) = &batch_input {
                    batch.insert("BatchInput".into(), input.clone());
                }
                batch.insert("Items".into(), Value::Array(items));
                Value::Object(batch)
            })
            .collect())
    }
}
