//! The operations, with AWS's request and response shapes (the Step Functions API reference). Requests are read
//! field by field with named errors (`ValidationException` for a missing or mistyped parameter), never trusted.

use crate::arn;
use crate::runner::Runner;
use crate::store::{self, now, Execution, Machine, Store};
use serde_json::{json, Map, Value};
use stepfn_engine::resume::{Checkpoint, Resume};

/// An error as AWS answers it: HTTP status, `__type`, `message`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            kind,
            message: message.into(),
        }
    }
    pub fn invalid_name(message: impl Into<String>) -> ApiError {
        ApiError::new("InvalidName", message)
    }
    pub fn invalid_arn(message: impl Into<String>) -> ApiError {
        ApiError::new("InvalidArn", message)
    }
    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new("ValidationException", message)
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 500,
            kind: "InternalFailure",
            message: message.into(),
        }
    }
}

/// The largest definition AWS accepts, in bytes (the API reference, `definition`: 1,048,576).
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;
/// The largest execution input AWS accepts, in bytes (the API reference, `input`: 262,144).
pub const MAX_INPUT_BYTES: usize = 262_144;
/// How long GetActivityTask waits for a task (AWS: 60 seconds).
const ACTIVITY_POLL_SECONDS: u64 = 60;
/// The most results a list returns when `maxResults` is not given (AWS: 100; at most 1000).
const DEFAULT_PAGE: usize = 100;

pub struct Service {
    pub store: std::sync::Arc<Store>,
    pub runner: Runner,
    /// Step Functions Local's MockConfigFile, if given: `stateMachineArn#TestCase` in StartExecution picks a case.
    pub mocks: Option<String>,
    /// How many closed executions are kept.
    pub retain: usize,
    /// What Task states call (a workflow binary's steps), for TestState.
    pub resources: stepfn_engine::Resources,
}

/// The mocked Task states of one execution, by state name.
pub type Mocks = std::collections::BTreeMap<String, stepfn_engine::mock::Mock>;

impl Service {
    pub fn new(
        store: Store,
        virtual_time: bool,
        resources: stepfn_engine::Resources,
        mocks: Option<String>,
        retain: usize,
        lambda_endpoint: Option<crate::lambda_endpoint::LambdaEndpoint>,
    ) -> Service {
        Service {
            store: std::sync::Arc::new(store),
            runner: Runner::new(virtual_time, resources.clone(), lambda_endpoint),
            resources,
            mocks,
            retain,
        }
    }

    /// Answers one operation.
    pub async fn call(
        self: &std::sync::Arc<Self>,
        operation: &str,
        request: &Value,
    ) -> Result<Value, ApiError> {
        let request = Request(request);
        match operation {
            "CreateStateMachine" => self.create_state_machine(request),
            "DescribeStateMachine" => self.describe_state_machine(request),
            "UpdateStateMachine" => self.update_state_machine(request),
            "DeleteStateMachine" => self.delete_state_machine(request),
            "ListStateMachines" => self.list_state_machines(request),
            "ValidateStateMachineDefinition" => validate_definition(request),
            "StartExecution" => self.start_execution(request).await,
            "StartSyncExecution" => self.start_sync_execution(request).await,
            "DescribeExecution" => self.describe_execution(request),
            "DescribeStateMachineForExecution" => {
                self.describe_state_machine_for_execution(request)
            }
            "ListExecutions" => self.list_executions(request),
            "StopExecution" => self.stop_execution(request).await,
            "RedriveExecution" => self.redrive_execution(request),
            "GetExecutionHistory" => self.get_execution_history(request),
            "SendTaskSuccess" => self.send_task_result(request, true),
            "SendTaskFailure" => self.send_task_result(request, false),
            "SendTaskHeartbeat" => self.send_task_heartbeat(request),
            "CreateActivity" => self.create_activity(request),
            "DescribeActivity" => self.describe_activity(request),
            "ListActivities" => self.list_activities(request),
            "DeleteActivity" => self.delete_activity(request),
            "GetActivityTask" => self.get_activity_task(request).await,
            "TagResource" => self.tag_resource(request),
            "UntagResource" => self.untag_resource(request),
            "ListTagsForResource" => self.list_tags(request),
            "TestState" => crate::test_state::test_state(self, request.0).await,
            other => Err(ApiError::new(
                "UnknownOperationException",
                format!("stepfn serve does not support the operation `{other}` yet"),
            )),
        }
    }

    fn machine(&self, arn: &str) -> Result<Machine, ApiError> {
        let name = arn::state_machine_name(arn)?;
        self.store.machine(name)?.ok_or_else(|| {
            ApiError::new(
                "StateMachineDoesNotExist",
                format!("State Machine Does Not Exist: '{arn}'"),
            )
        })
    }

    fn execution(&self, arn: &str) -> Result<Execution, ApiError> {
        arn::execution_names(arn)?;
        self.store.execution(arn)?.ok_or_else(|| {
            ApiError::new(
                "ExecutionDoesNotExist",
                format!("Execution Does Not Exist: '{arn}'"),
            )
        })
    }

    fn create_state_machine(&self, request: Request) -> Result<Value, ApiError> {
        let name = request.string("name")?;
        arn::check_name(name)?;
        let definition = request.string("definition")?;
        let role_arn = request.string("roleArn")?;
        check_role(role_arn)?;
        let kind = request.optional_string("type")?.unwrap_or("STANDARD");
        if !matches!(kind, "STANDARD" | "EXPRESS") {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{kind}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
            )));
        }
        check_definition(definition)?;
        let arn = arn::state_machine(name);
        if let Some(existing) = self.store.machine(name)? {
            // AWS: the same name, definition and type is the same machine (CreateStateMachine is idempotent; "a
            // different roleArn or tags" are ignored, API_CreateStateMachine).
            if existing.definition == definition && existing.kind == kind {
                return Ok(json!({"stateMachineArn": arn, "creationDate": existing.created}));
            }
            return Err(ApiError::new(
                "StateMachineAlreadyExists",
                format!("State Machine Already Exists: '{arn}'"),
            ));
        }
        let tags = tags_of(request)?;
        let machine = Machine {
            name: name.to_owned(),
            definition: definition.to_owned(),
            role_arn: role_arn.to_owned(),
            kind: kind.to_owned(),
            created: now(),
        };
        self.store.insert_machine(&machine)?;
        self.store.retag(&arn, &tags, &[])?;
        Ok(json!({"stateMachineArn": arn, "creationDate": machine.created}))
    }

    fn describe_state_machine(&self, request: Request) -> Result<Value, ApiError> {
        let machine = self.machine(request.string("stateMachineArn")?)?;
        Ok(json!({
            "stateMachineArn": arn::state_machine(&machine.name),
            "name": machine.name,
            "status": "ACTIVE",
            "definition": machine.definition,
            "roleArn": machine.role_arn,
            "type": machine.kind,
            "creationDate": machine.created,
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": false},
            "tracingConfiguration": {"enabled": false},
        }))
    }

    fn update_state_machine(&self, request: Request) -> Result<Value, ApiError> {
        let machine = self.machine(request.string("stateMachineArn")?)?;
        let definition = request.optional_string("definition")?;
        let role_arn = request.optional_string("roleArn")?;
        if definition.is_none() && role_arn.is_none() {
            return Err(ApiError::new(
                "MissingRequiredParameter",
                "give a new `definition`, `roleArn` or both",
            ));
        }
        if let Some(definition) = definition {
            check_definition(definition)?;
        }
        if let Some(role_arn) = role_arn {
            check_role(role_arn)?;
        }
        self.store.update_machine(
            &machine.name,
            definition.unwrap_or(&machine.definition),
            role_arn.unwrap_or(&machine.role_arn),
        )?;
        Ok(json!({"updateDate": now()}))
    }

    fn delete_state_machine(&self, request: Request) -> Result<Value, ApiError> {
        let arn = request.string("stateMachineArn")?;
        // AWS: deleting a machine that does not exist succeeds.
        let name = arn::state_machine_name(arn)?;
        self.store.delete_machine(name)?;
        self.runner.forget(name);
        self.store.untag_all(arn)?;
        Ok(json!({}))
    }

    fn list_state_machines(&self, request: Request) -> Result<Value, ApiError> {
        let machines: Vec<Value> = self
            .store
            .machines()?
            .into_iter()
            .map(|m| {
                json!({"stateMachineArn": arn::state_machine(&m.name), "name": m.name, "type": m.kind, "creationDate": m.created})
            })
            .collect();
        page(request, machines, "stateMachines")
    }

    async fn start_execution(
        self: &std::sync::Arc<Self>,
        request: Request<'_>,
    ) -> Result<Value, ApiError> {
        let (machine, execution, mocks) = self.new_execution(request)?;
        if let Some(existing) = self.store.execution(&execution.arn)? {
            // AWS: the same name and input as a running execution returns it; anything else is a conflict.
            if existing.status == "RUNNING" && existing.input == execution.input {
                return Ok(json!({"executionArn": existing.arn, "startDate": existing.started}));
            }
            return Err(ApiError::new(
                "ExecutionAlreadyExists",
                format!("Execution Already Exists: '{}'", execution.arn),
            ));
        }
        // Answered once the record has committed: what StartExecution acknowledged survives a crash.
        self.store.insert_execution_async(&execution).await?;
        self.runner
            .start(self.clone(), machine, execution.clone(), mocks, None);
        Ok(json!({"executionArn": execution.arn, "startDate": execution.started}))
    }

    async fn start_sync_execution(
        self: &std::sync::Arc<Self>,
        request: Request<'_>,
    ) -> Result<Value, ApiError> {
        let (machine, mut execution, mocks) = self.new_execution(request)?;
        execution.arn = arn::express_execution(&machine.name, &execution.name);
        if machine.kind != "EXPRESS" {
            return Err(ApiError::new(
                "StateMachineTypeNotSupported",
                "StartSyncExecution runs EXPRESS state machines only",
            ));
        }
        // Not stored: AWS's API answers nothing about express executions but this call's answer.
        let finished = self.runner.run_sync(&machine, execution, mocks).await;
        Ok(describe(&finished, true))
    }

    /// The machine, a new execution of it and its mocks, from a StartExecution request. As in Step Functions Local,
    /// `stateMachineArn#TestCase` runs the test case of the mock file.
    fn new_execution(&self, request: Request) -> Result<(Machine, Execution, Mocks), ApiError> {
        let requested = request.string("stateMachineArn")?;
        let (machine_arn, test_case) = match requested.split_once('#') {
            Some((arn, case)) => (arn, Some(case)),
            None => (requested, None),
        };
        let machine = self.machine(machine_arn)?;
        let mocks = match test_case {
            None => Mocks::new(),
            Some(case) => self.mocks_of(&machine, case)?,
        };
        let name = match request.optional_string("name")? {
            Some(name) => {
                arn::check_name(name)?;
                name.to_owned()
            }
            None => uuid::Uuid::new_v4().to_string(),
        };
        let input = request.optional_string("input")?.unwrap_or("{}");
        if input.len() > MAX_INPUT_BYTES {
            return Err(ApiError::validation(format!(
                "the input is {} bytes; AWS accepts at most {MAX_INPUT_BYTES}",
                input.len()
            )));
        }
        if let Err(error) = stepfn_asl::json_text::from_str::<Value>(input) {
            return Err(ApiError::new(
                "InvalidExecutionInput",
                format!("Invalid execution input: {error}"),
            ));
        }
        let execution = Execution {
            arn: arn::execution(&machine.name, &name),
            machine: machine.name.clone(),
            name,
            input: input.to_owned(),
            status: "RUNNING".into(),
            output: None,
            error: None,
            cause: None,
            started: now(),
            stopped: None,
            definition: machine.definition.clone(),
            redrive_count: 0,
            redrive_date: None,
            checkpoint: None,
            test_case: test_case.map(str::to_owned),
        };
        Ok((machine, execution, mocks))
    }

    /// The mocks of test case `case` for `machine`, from the mock file.
    fn mocks_of(&self, machine: &Machine, case: &str) -> Result<Mocks, ApiError> {
        let text = self.mocks.as_deref().ok_or_else(|| {
            ApiError::validation(format!(
                "test case `{case}` asked for, but stepfn serve was started without a mock file: give `--mock FILE`"
            ))
        })?;
        let compiled = self
            .runner
            .compiled(&machine.name, &machine.definition)
            .map_err(|error| ApiError::new("InvalidDefinition", error.to_string()))?;
        stepfn_engine::mock::load_test_case(text, &compiled, Some(&machine.name), Some(case))
            .map_err(|error| {
                ApiError::validation(format!(
                    "the mock file cannot run test case `{case}`: {error}"
                ))
            })
    }

    fn describe_execution(&self, request: Request) -> Result<Value, ApiError> {
        let execution = self.execution(request.string("executionArn")?)?;
        let mut answer = describe(&execution, false);
        answer["redriveCount"] = json!(execution.redrive_count);
        if let Some(date) = execution.redrive_date {
            answer["redriveDate"] = json!(date);
        }
        // Whether RedriveExecution would take it now. A running or succeeded execution is refused by its status
        // alone: the machine and the history are read only for the others (clients poll DescribeExecution while an
        // execution runs).
        let reason = if matches!(execution.status.as_str(), "RUNNING" | "SUCCEEDED") {
            not_redrivable(&execution, None, 0)
        } else {
            let machine = self.store.machine(&execution.machine)?;
            let events = self.store.event_count(&execution.arn)?;
            not_redrivable(&execution, machine.as_ref(), events)
        };
        match reason {
            None => answer["redriveStatus"] = json!("REDRIVABLE"),
            Some(reason) => {
                answer["redriveStatus"] = json!("NOT_REDRIVABLE");
                answer["redriveStatusReason"] = json!(reason);
            }
        }
        Ok(answer)
    }

    fn describe_state_machine_for_execution(&self, request: Request) -> Result<Value, ApiError> {
        let execution = self.execution(request.string("executionArn")?)?;
        let machine = self.store.machine(&execution.machine)?;
        Ok(json!({
            "stateMachineArn": arn::state_machine(&execution.machine),
            "name": execution.machine,
            "definition": execution.definition,
            "roleArn": machine.map(|m| m.role_arn).unwrap_or_default(),
            "updateDate": execution.started,
        }))
    }

    fn list_executions(&self, request: Request) -> Result<Value, ApiError> {
        let machine = self.machine(request.string("stateMachineArn")?)?;
        let status = request.optional_string("statusFilter")?;
        if let Some(status) = status {
            if !matches!(
                status,
                "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE"
            ) {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"
                )));
            }
        }
        let redriven = match request.optional_string("redriveFilter")? {
            None => None,
            Some("REDRIVEN") => Some(true),
            Some("NOT_REDRIVEN") => Some(false),
            Some(other) => {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{other}' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]"
                )))
            }
        };
        let executions: Vec<Value> = self
            .store
            .executions(&machine.name, status)?
            .iter()
            .filter(|e| redriven.is_none_or(|redriven| (e.redrive_count > 0) == redriven))
            .map(|e| {
                let mut item = json!({
                    "executionArn": e.arn, "stateMachineArn": arn::state_machine(&e.machine), "name": e.name,
                    "status": e.status, "startDate": e.started, "redriveCount": e.redrive_count,
                });
                if let Some(stopped) = e.stopped {
                    item["stopDate"] = json!(stopped);
                }
                if let Some(date) = e.redrive_date {
                    item["redriveDate"] = json!(date);
                }
                item
            })
            .collect();
        page(request, executions, "executions")
    }

    async fn stop_execution(&self, request: Request<'_>) -> Result<Value, ApiError> {
        let execution = self.execution(request.string("executionArn")?)?;
        let error = request.optional_string("error")?;
        let cause = request.optional_string("cause")?;
        let stopped = now();
        if execution.status == "RUNNING" {
            self.runner.stop(&execution.arn).await;
            let aborted = Execution {
                status: "ABORTED".into(),
                error: error.map(str::to_owned),
                cause: cause.map(str::to_owned),
                stopped: Some(stopped),
                ..execution.clone()
            };
            if !self.store.finish_execution(&aborted)? {
                // It ended on its own while being stopped: its end stands.
                return Ok(json!({"stopDate": stopped}));
            }
            let mut events = self.store.event_count(&execution.arn)?;
            if events == 0 {
                self.store.append_event(
                    &execution.arn,
                    1,
                    &store::started_event(&execution.input, execution.started),
                )?;
                events = 1;
            }
            let mut details = Map::new();
            if let Some(error) = error {
                details.insert("error".into(), json!(error));
            }
            if let Some(cause) = cause {
                details.insert("cause".into(), json!(cause));
            }
            let event = json!({"timestamp": stopped, "type": "ExecutionAborted", "id": events + 1,
                               "previousEventId": events, "executionAbortedEventDetails": details});
            self.store
                .append_event(&execution.arn, events + 1, &event.to_string())?;
        }
        Ok(json!({"stopDate": stopped}))
    }

    /// RedriveExecution: a failed, timed-out or aborted standard execution goes on, under the same ARN, from the
    /// top-level state it stopped in, with that state's input and the variables assigned before it; its history
    /// continues after an `ExecutionRedriven` event.
    fn redrive_execution(self: &std::sync::Arc<Self>, request: Request) -> Result<Value, ApiError> {
        let execution = self.execution(request.string("executionArn")?)?;
        let token = request.optional_string("clientToken")?;
        if let Some(token) = token {
            if token.is_empty() || token.len() > 64 {
                return Err(ApiError::validation(
                    "clientToken must be 1 to 64 characters long",
                ));
            }
            if execution.status == "RUNNING"
                && self.store.redrive_token(&execution.arn)?.as_deref() == Some(token)
            {
                // A retry of the redrive that made it run: AWS answers it again rather than failing.
                return Ok(json!({"redriveDate": execution.redrive_date}));
            }
        }
        let machine = self.store.machine(&execution.machine)?;
        let events = self.store.event_count(&execution.arn)?;
        if let Some(reason) = not_redrivable(&execution, machine.as_ref(), events) {
            return Err(ApiError::new(
                "ExecutionNotRedrivable",
                format!("Execution '{}' cannot be redriven: {reason}", execution.arn),
            ));
        }
        let Some(machine) = machine else {
            return Err(ApiError::internal("the state machine went missing"));
        };
        let compiled = self
            .runner
            .compiled(&machine.name, &execution.definition)
            .map_err(|error| ApiError::new("InvalidDefinition", error.to_string()))?;
        let from = match &execution.checkpoint {
            Some(text) => serde_json::from_str(text).map_err(|error| {
                ApiError::internal(format!("the execution's checkpoint is unreadable: {error}"))
            })?,
            None => {
                let input =
                    stepfn_asl::json_text::from_str(&execution.input).unwrap_or(Value::Null);
                Checkpoint::at_start(&compiled, input)
            }
        };
        // The test case it ran, mocked again.
        let mocks = match &execution.test_case {
            Some(case) => self.mocks_of(&machine, case)?,
            None => Mocks::new(),
        };
        let date = now();
        if !self.store.redrive(&execution.arn, date, token)? {
            return Err(ApiError::new(
                "ExecutionNotRedrivable",
                format!(
                    "Execution '{}' cannot be redriven: it is running again",
                    execution.arn
                ),
            ));
        }
        let resume = Resume {
            from,
            events_so_far: events,
            redrive_count: execution.redrive_count + 1,
            started: epoch_parts(execution.started),
        };
        let running = Execution {
            status: "RUNNING".into(),
            output: None,
            error: None,
            cause: None,
            stopped: None,
            redrive_count: execution.redrive_count + 1,
            redrive_date: Some(date),
            ..execution
        };
        self.runner
            .start(self.clone(), machine, running, mocks, Some(resume));
        Ok(json!({"redriveDate": date}))
    }

    fn get_execution_history(&self, request: Request) -> Result<Value, ApiError> {
        let execution = self.execution(request.string("executionArn")?)?;
        let reverse = request.optional_bool("reverseOrder")?.unwrap_or(false);
        let include_data = request
            .optional_bool("includeExecutionData")?
            .unwrap_or(true);
        let mut events: Vec<String> = self.store.events(&execution.arn)?;
        if events.is_empty() {
            // Still running: the engine hands over its events when the execution ends.
            events.push(store::started_event(&execution.input, execution.started));
        }
        if reverse {
            events.reverse();
        }
        // Only the page's events are read as JSON: paging through a long history costs each page its own size.
        let (range, next) = page_range(request, events.len())?;
        let events: Vec<Value> = events[range]
            .iter()
            .filter_map(|text| serde_json::from_str::<Value>(text).ok())
            .map(|event| {
                if include_data {
                    event
                } else {
                    without_data(event)
                }
            })
            .collect();
        let mut answer = json!({ "events": events });
        if let Some(next) = next {
            answer["nextToken"] = json!(next);
        }
        Ok(answer)
    }
}

impl Service {
    /// SendTaskSuccess (`output`) or SendTaskFailure (`error`, `cause`) for a `.waitForTaskToken` task.
    fn send_task_result(&self, request: Request, success: bool) -> Result<Value, ApiError> {
        let token = request.string("taskToken")?;
        let result = if success {
            let output = request.string("output")?;
            let output: Value = stepfn_asl::json_text::from_str(output).map_err(|error| {
                ApiError::new("InvalidOutput", format!("Invalid Output: {error}"))
            })?;
            Ok(output)
        } else {
            Err(stepfn_engine::Failure::new(
                request.optional_string("error")?.unwrap_or_default(),
                request.optional_string("cause")?.unwrap_or_default(),
            ))
        };
        self.runner.callbacks.complete(token, result)?;
        Ok(json!({}))
    }

    fn create_activity(&self, request: Request) -> Result<Value, ApiError> {
        let name = request.string("name")?;
        arn::check_name(name)?;
        let tags = tags_of(request)?;
        let created = self.store.create_activity(name)?;
        self.store.retag(&arn::activity(name), &tags, &[])?;
        Ok(json!({"activityArn": arn::activity(name), "creationDate": created}))
    }

    fn activity(&self, request: Request) -> Result<(String, f64), ApiError> {
        let activity_arn = request.string("activityArn")?;
        let name = arn::activity_name(activity_arn)?;
        let created = self.store.activity(name)?.ok_or_else(|| {
            ApiError::new(
                "ActivityDoesNotExist",
                format!("Activity Does Not Exist: '{activity_arn}'"),
            )
        })?;
        Ok((name.to_owned(), created))
    }

    fn describe_activity(&self, request: Request) -> Result<Value, ApiError> {
        let (name, created) = self.activity(request)?;
        Ok(json!({"activityArn": arn::activity(&name), "name": name, "creationDate": created}))
    }

    fn list_activities(&self, request: Request) -> Result<Value, ApiError> {
        let activities: Vec<Value> = self
            .store
            .activities()?
            .into_iter()
            .map(|(name, created)| json!({"activityArn": arn::activity(&name), "name": name, "creationDate": created}))
            .collect();
        page(request, activities, "activities")
    }

    fn delete_activity(&self, request: Request) -> Result<Value, ApiError> {
        let activity_arn = request.string("activityArn")?;
        self.store
            .delete_activity(arn::activity_name(activity_arn)?)?;
        Ok(json!({}))
    }

    /// A worker's long poll: the next task of the activity, or `{}` after a minute without one (as on AWS).
    async fn get_activity_task(&self, request: Request<'_>) -> Result<Value, ApiError> {
        let (name, _) = self.activity(request)?;
        let poll = std::time::Duration::from_secs(ACTIVITY_POLL_SECONDS);
        Ok(
            match self
                .runner
                .activities
                .next(&arn::activity(&name), poll)
                .await
            {
                Some(task) => json!({"taskToken": task.token, "input": task.input}),
                None => json!({}),
            },
        )
    }

    /// A taggable resource that exists: a state machine or an activity.
    fn taggable(&self, request: Request) -> Result<String, ApiError> {
        let resource = request.string("resourceArn")?;
        let exists = if let Ok(name) = arn::state_machine_name(resource) {
            self.store.machine(name)?.is_some()
        } else if let Ok(name) = arn::activity_name(resource) {
            self.store.activity(name)?.is_some()
        } else {
            false
        };
        if !exists {
            return Err(ApiError::new(
                "ResourceNotFound",
                format!("Resource not found: '{resource}'"),
            ));
        }
        Ok(resource.to_owned())
    }

    fn tag_resource(&self, request: Request) -> Result<Value, ApiError> {
        let resource = self.taggable(request)?;
        let tags = tags_of(request)?;
        let existing = self.store.tags(&resource)?;
        let total = existing
            .iter()
            .filter(|(k, _)| !tags.iter().any(|(t, _)| t == k))
            .count()
            + tags.len();
        if total > MAX_TAGS {
            return Err(ApiError::new(
                "TooManyTags",
                format!("a resource holds at most {MAX_TAGS} tags; this would make {total}"),
            ));
        }
        self.store.retag(&resource, &tags, &[])?;
        Ok(json!({}))
    }

    fn untag_resource(&self, request: Request) -> Result<Value, ApiError> {
        let resource = self.taggable(request)?;
        let keys = match request.field("tagKeys") {
            Some(Value::Array(keys)) => keys
                .iter()
                .map(|k| {
                    k.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| mistyped("tagKeys", "a list of strings"))
                })
                .collect::<Result<Vec<String>, ApiError>>()?,
            _ => return Err(mistyped("tagKeys", "a list of strings")),
        };
        self.store.retag(&resource, &[], &keys)?;
        Ok(json!({}))
    }

    fn list_tags(&self, request: Request) -> Result<Value, ApiError> {
        let resource = self.taggable(request)?;
        let tags: Vec<Value> = self
            .store
            .tags(&resource)?
            .into_iter()
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect();
        Ok(json!({"tags": tags}))
    }

    fn send_task_heartbeat(&self, request: Request) -> Result<Value, ApiError> {
        let token = request.string("taskToken")?;
        self.runner.callbacks.beat(token)?;
        Ok(json!({}))
    }
}

/// Why RedriveExecution refuses an execution now (AWS's `redriveStatusReason` wording, API_DescribeExecution), or
/// `None` when it can be redriven.
fn not_redrivable(
    execution: &Execution,
    machine: Option<&Machine>,
    events: u64,
) -> Option<&'static str> {
    /// AWS redrives executions that stopped in the last 14 days.
    const REDRIVABLE_SECONDS: f64 = 14.0 * 24.0 * 3600.0;
    match execution.status.as_str() {
        "RUNNING" => return Some("Execution is RUNNING and cannot be redriven."),
        "SUCCEEDED" => return Some("Execution is SUCCEEDED and cannot be redriven."),
        _ => {}
    }
    let Some(machine) = machine else {
        return Some("State machine is in DELETING status.");
    };
    // AWS: RedriveExecution "is not supported by EXPRESS state machines" (API_RedriveExecution).
    if execution.arn.contains(":express:") || machine.kind == "EXPRESS" {
        return Some("Express executions cannot be redriven.");
    }
    if events + 2 > stepfn_engine::history::EVENT_LIMIT {
        return Some("Execution history event limit exceeded.");
    }
    if execution
        .stopped
        .is_some_and(|stopped| now() - stopped > REDRIVABLE_SECONDS)
    {
        return Some("Execution redrivable period exceeded.");
    }
    None
}

/// Seconds and nanoseconds since the epoch of a protocol timestamp.
fn epoch_parts(seconds: f64) -> (i64, u32) {
    let whole = seconds.floor();
    (whole as i64, ((seconds - whole) * 1e9) as u32)
}

/// DescribeExecution's answer (StartSyncExecution's too, with `stateMachineArn` and billing left out).
fn describe(execution: &Execution, sync: bool) -> Value {
    let mut answer = json!({
        "executionArn": execution.arn,
        "stateMachineArn": arn::state_machine(&execution.machine),
        "name": execution.name,
        "status": execution.status,
        "startDate": execution.started,
        "input": execution.input,
        "inputDetails": {"included": true},
    });
    let fields = [
        ("stopDate", execution.stopped.map(|s| json!(s))),
        ("output", execution.output.as_ref().map(|o| json!(o))),
        ("error", execution.error.as_ref().map(|e| json!(e))),
        ("cause", execution.cause.as_ref().map(|c| json!(c))),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            answer[key] = value;
        }
    }
    if execution.output.is_some() {
        answer["outputDetails"] = json!({"included": true});
    }

    if sync {
        // AWS bills express executions by the 100 ms of duration and at least 64 MB of memory.
        let millis = execution
            .stopped
            .map_or(0.0, |stopped| (stopped - execution.started) * 1000.0);
        let billed = ((millis / 100.0).ceil().max(1.0) * 100.0) as u64;
        answer["billingDetails"] =
            json!({"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": billed});
    }
    answer
}

/// An event without its `input` and `output` (GetExecutionHistory with `includeExecutionData: false`).
fn without_data(mut event: Value) -> Value {
    if let Some(object) = event.as_object_mut() {
        for details in object.values_mut().filter_map(Value::as_object_mut) {
            details.remove("input");
            details.remove("output");
        }
    }
    event
}

fn validate_definition(request: Request) -> Result<Value, ApiError> {
    let definition = request.string("definition")?;
    let diagnostics: Vec<Value> = match problems(definition) {
        Ok(()) => Vec::new(),
        Err(problems) => problems
            .into_iter()
            .map(|(code, location, message)| {
                json!({"severity": "ERROR", "code": code, "message": message, "location": location})
            })
            .collect(),
    };
    let result = if diagnostics.is_empty() { "OK" } else { "FAIL" };
    Ok(json!({"result": result, "diagnostics": diagnostics, "truncated": false}))
}

/// The definition's problems as (code, location, message), from the validator `workflow!` and `stepfn validate`
/// use, knock-on problems folded into their cause.
fn problems(definition: &str) -> Result<(), Vec<(&'static str, String, String)>> {
    if definition.len() > MAX_DEFINITION_BYTES {
        return Err(vec![(
            "SCHEMA_VALIDATION_FAILED",
            "/".into(),
            format!(
                "the definition is {} bytes; AWS accepts at most {MAX_DEFINITION_BYTES}",
                definition.len()
            ),
        )]);
    }
    match stepfn_asl::model::Definition::parse(definition) {
        Ok(_) => Ok(()),
        Err(problems) => {
            let document: Value =
                stepfn_asl::json_text::from_str(definition).unwrap_or(Value::Null);
            Err(problems_folded(&document, problems))
        }
    }
}

fn problems_folded(
    document: &Value,
    problems: Vec<stepfn_asl::Problem>,
) -> Vec<(&'static str, String, String)> {
    stepfn_asl::fold(document, problems)
        .into_iter()
        .map(|p| {
            (
                "SCHEMA_VALIDATION_FAILED",
                p.pointer.clone(),
                p.message.clone(),
            )
        })
        .collect()
}

fn check_definition(definition: &str) -> Result<(), ApiError> {
    problems(definition).map_err(|problems| {
        let lines: Vec<String> = problems
            .iter()
            .map(|(code, location, message)| format!("{code}: {message} at {location}"))
            .collect();
        ApiError::new(
            "InvalidDefinition",
            format!("Invalid State Machine Definition: '{}'", lines.join(", ")),
        )
    })
}

fn check_role(role_arn: &str) -> Result<(), ApiError> {
    if role_arn.starts_with("arn:") && role_arn.len() <= 256 {
        Ok(())
    } else {
        Err(ApiError::invalid_arn(format!(
            "Invalid Arn: 'Resource type not valid in this context: {role_arn}'"
        )))
    }
}

/// One page of `items` under `key`: `maxResults` (1 to 1000) and the `nextToken` of the previous page.
fn page(request: Request, items: Vec<Value>, key: &str) -> Result<Value, ApiError> {
    let (range, next) = page_range(request, items.len())?;
    let mut answer = json!({ key: items[range] });
    if let Some(next) = next {
        answer["nextToken"] = json!(next);
    }
    Ok(answer)
}

/// The page `maxResults` and `nextToken` ask for of `len` items, and the next page's token if there is one.
fn page_range(
    request: Request,
    len: usize,
) -> Result<(std::ops::Range<usize>, Option<String>), ApiError> {
    let size = match request.optional_u64("maxResults")? {
        None | Some(0) => DEFAULT_PAGE,
        Some(n @ 1..=1000) => n as usize,
        Some(n) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
            )))
        }
    };
    let start = match request.optional_string("nextToken")? {
        None => 0,
        Some(token) => token
            .parse::<usize>()
            .ok()
            .filter(|&start| start <= len)
            .ok_or_else(|| ApiError::new("InvalidToken", format!("Invalid Token: '{token}'")))?,
    };
    let end = start.saturating_add(size).min(len);
    Ok((start..end, (end < len).then(|| end.to_string())))
}

/// A request's fields, read with AWS's errors for missing and mistyped parameters.
#[derive(Clone, Copy)]
struct Request<'a>(&'a Value);

impl<'a> Request<'a> {
    fn field(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn string(&self, key: &str) -> Result<&'a str, ApiError> {
        self.optional_string(key)?.ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
            ))
        })
    }

    fn optional_string(&self, key: &str) -> Result<Option<&'a str>, ApiError> {
        match self.field(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(mistyped(key, "a string")),
        }
    }

    fn optional_bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.field(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(mistyped(key, "a boolean")),
        }
    }

    fn optional_u64(&self, key: &str) -> Result<Option<u64>, ApiError> {
        match self.field(key) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| mistyped(key, "a whole number")),
        }
    }
}

/// The most tags a resource holds (AWS: 50).
const MAX_TAGS: usize = 50;

/// The `tags` of a request, `[{"key": ..., "value": ...}]`, with AWS's limits on keys (1 to 128 characters) and
/// values (at most 256).
fn tags_of(request: Request) -> Result<Vec<(String, String)>, ApiError> {
    let Some(tags) = request.field("tags") else {
        return Ok(Vec::new());
    };
    let tags = tags
        .as_array()
        .ok_or_else(|| mistyped("tags", "a list of {key, value}"))?;
    if tags.len() > MAX_TAGS {
        return Err(ApiError::new(
            "TooManyTags",
            format!("at most {MAX_TAGS} tags; {} given", tags.len()),
        ));
    }
    tags.iter()
        .map(|tag| {
            let key = tag
                .get("key")
                .and_then(Value::as_str)
                .ok_or_else(|| mistyped("tags", "a list of {key, value}"))?;
            let value = tag.get("value").and_then(Value::as_str).unwrap_or_default();
            if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
                return Err(ApiError::validation(format!(
                    "tag `{key}`: a key has 1 to 128 characters and a value at most 256"
                )));
            }
            Ok((key.to_owned(), value.to_owned()))
        })
        .collect()
}

fn mistyped(key: &str, expected: &str) -> ApiError {
    ApiError::new(
        "SerializationException",
        format!("`{key}` must be {expected}"),
    )
}
