//! The state machine's execution role, least privilege, read from the typed model of the definition:
//!
//! - `lambda:InvokeFunction` on exactly the workflow's functions (and their versions and aliases, `<arn>:*`);
//! - per Task state over a service integration, the actions that integration needs on the resource the
//!   definition names literally (a DynamoDB table, an SQS queue URL, an SNS topic, EventBridge buses, a nested
//!   state machine, a Lambda function for `lambda:invoke`), as AWS documents them in "IAM policies for integrated
//!   services" (Step Functions Developer Guide);
//! - where the resource is only known at run time (a path, an intrinsic, a JSONata expression) or the integration is
//!   not one of those, a statement on `"*"` (or the narrowest pattern AWS documents) whose `Sid` starts with
//!   `Unscoped` and names the state, recorded in the template's `Metadata.stepfn.UnscopedPermissions` with why;
//! - log delivery (`logs:*LogDelivery`, ... on `"*"`, as "Using CloudWatch Logs to log execution history in Step
//!   Functions" requires) and X-Ray (`xray:PutTraceSegments`, ..., when tracing is on).

use crate::value::{payload, Arg, Text};
use crate::Names;
use serde_json::{json, Value};
use stepfn_asl::model::{Definition, Kind, Scope, State};

/// The role's statements and the states whose permissions could not be scoped.
pub(crate) struct Policy {
    pub statements: Vec<Value>,
    pub gaps: Vec<Gap>,
}

/// A state whose permissions are not scoped to a resource, and why.
pub(crate) struct Gap {
    pub state: String,
    /// The statement's `Sid`; empty when no permission was granted at all.
    pub sid: String,
    pub reason: String,
}

impl Gap {
    pub fn to_json(&self) -> Value {
        let mut gap = serde_json::Map::new();
        gap.insert("State".into(), json!(self.state));
        if !self.sid.is_empty() {
            gap.insert("Sid".into(), json!(self.sid));
        }
        gap.insert("Reason".into(), json!(self.reason));
        Value::Object(gap)
    }
}

const PARTITION_REGION_ACCOUNT: &str =
    "arn:${AWS::Partition}:{service}:${AWS::Region}:${AWS::AccountId}";

fn arn_prefix(service: &str) -> String {
    PARTITION_REGION_ACCOUNT.replace("{service}", service)
}

pub(crate) fn state_machine_policy(model: &Definition, names: &Names) -> Policy {
    let mut builder = Builder {
        names,
        statements: Vec::new(),
        gaps: Vec::new(),
        sids: Vec::new(),
    };
    if !names.functions.is_empty() {
        let mut resources = Vec::new();
        for function in &names.functions {
            resources.push(json!({ "Fn::GetAtt": [function.logical_id, "Arn"] }));
            resources.push(json!({ "Fn::Sub": format!("${{{}.Arn}}:*", function.logical_id) }));
        }
        builder.allow("InvokeSteps", &["lambda:InvokeFunction"], resources);
    }
    builder.scope(&model.root);
    // "Using CloudWatch Logs to log execution history in Step Functions": these log-delivery actions do not take a
    // resource, so AWS's policy grants them on "*".
    builder.allow(
        "LogDelivery",
        &[
            "logs:CreateLogDelivery",
            "logs:CreateLogStream",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutLogEvents",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        ],
        vec![json!("*")],
    );
    // "IAM policies for AWS X-Ray" (Step Functions Developer Guide): on "*", only when tracing is on.
    let sid = builder.sid("XRayTracing");
    builder.statements.push(json!({
        "Fn::If": [
            "TracingEnabled",
            {
                "Sid": sid,
                "Effect": "Allow",
                "Action": [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets"
                ],
                "Resource": "*"
            },
            { "Ref": "AWS::NoValue" }
        ]
    }));
    Policy {
        statements: builder.statements,
        gaps: builder.gaps,
    }
}

struct Builder<'n> {
    names: &'n Names,
    statements: Vec<Value>,
    gaps: Vec<Gap>,
    sids: Vec<String>,
}

/// A state's name as a `Sid` (letters and digits only).
fn alnum(name: &str) -> String {
    let text: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    if text.is_empty() {
        "State".to_owned()
    } else {
        text
    }
}

/// `putItem` → `PutItem`: an API name of a resource ARN as an IAM action's.
fn action_name(api: &str) -> String {
    let mut chars = api.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

impl Builder<'_> {
    /// A `Sid` not used yet in the policy (IAM requires them unique).
    fn sid(&mut self, base: &str) -> String {
        let mut sid = base.to_owned();
        let mut n = 2;
        while self.sids.contains(&sid) {
            sid = format!("{base}{n}");
            n += 1;
        }
        self.sids.push(sid.clone());
        sid
    }

    fn allow(&mut self, sid: &str, actions: &[&str], resources: Vec<Value>) -> String {
        let sid = self.sid(sid);
        let resources = if resources.len() == 1 {
            resources.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(resources)
        };
        self.statements.push(json!({
            "Sid": sid,
            "Effect": "Allow",
            "Action": actions,
            "Resource": resources
        }));
        sid
    }

    /// A statement the definition does not let us scope, documented in the template's metadata.
    fn gap(&mut self, state: &State, actions: &[&str], resource: Value, reason: String) {
        let sid = if actions.is_empty() {
            String::new()
        } else {
            self.allow(
                &format!("Unscoped{}", alnum(&state.name)),
                actions,
                vec![resource],
            )
        };
        self.gaps.push(Gap {
            state: state.name.clone(),
            sid,
            reason,
        });
    }

    /// A literal string as a CloudFormation value: placeholders become the functions' ARNs or the parameters.
    /// `None` when it holds a `${` that is no placeholder of the template.
    fn literal(&self, text: &str) -> Option<Value> {
        if let Some(key) = whole_placeholder(text) {
            return self.names.value_of(key);
        }
        self.fragment(text).map(sub)
    }

    /// `text` as a piece of an `Fn::Sub` string: each `${Placeholder}` renamed to the variable it stands for.
    fn fragment(&self, text: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            let variable = self.names.sub_variable(&after[..end])?;
            out.push_str(&format!("${{{variable}}}"));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    fn scope(&mut self, scope: &Scope) {
        for state in &scope.states {
            match &state.kind {
                Kind::Task(task) => self.task(state, &task.resource),
                Kind::Parallel { branches } => branches.iter().for_each(|b| self.scope(b)),
                Kind::Map(map) => {
                    if map.distributed {
                        let mut actions = vec![
                            "states:StartExecution",
                            "states:DescribeExecution",
                            "states:StopExecution",
                        ];
                        if map.item_reader {
                            actions.extend(["s3:GetObject", "s3:ListBucket"]);
                        }
                        self.gap(
                            state,
                            &actions,
                            json!("*"),
                            "a Distributed Map starts child executions of this state machine, whose ARN its own role cannot name; an ItemReader's or ResultWriter's S3 objects are not scoped either".into(),
                        );
                    }
                    self.scope(&map.processor);
                }
                _ => {}
            }
        }
    }

    fn task(&mut self, state: &State, resource: &str) {
        if let Some(key) = whole_placeholder(resource) {
            if self.names.functions.iter().any(|f| f.placeholder == key) {
                return; // a step: `InvokeSteps`
            }
            // Any other placeholder resource is a Lambda function or an activity given at deployment.
            if let Some(variable) = self.names.sub_variable(key) {
                let resources = vec![
                    json!({ "Ref": variable }),
                    json!({ "Fn::Sub": format!("${{{variable}}}:*") }),
                ];
                self.allow(&alnum(&state.name), &["lambda:InvokeFunction"], resources);
            }
            return;
        }
        let parts: Vec<&str> = resource.split(':').collect();
        match parts.as_slice() {
            ["arn", _, "states", "", "", integration @ ..] if !integration.is_empty() => {
                self.integration(state, integration)
            }
            ["arn", _, "states", _, _, "activity", ..] => {} // workers poll it; the role needs nothing
            ["arn", _, "lambda", _, _, "function", _, qualifier @ ..] => {
                if let Some(arn) = self.literal(resource) {
                    let mut resources = vec![arn];
                    if qualifier.is_empty() {
                        resources.push(sub(format!("{}:*", self.fragment(resource).unwrap_or_default())));
                    }
                    self.allow(&alnum(&state.name), &["lambda:InvokeFunction"], resources);
                }
            }
            _ => self.gap(
                state,
                &[],
                Value::Null,
                format!("the resource `{resource}` is not a service integration, Lambda function or activity stepfn knows: no permission is granted for it"),
            ),
        }
    }

    /// `arn:aws:states:::<integration>`: `lambda:invoke`, `dynamodb:putItem`, `states:startExecution.sync:2`,
    /// `aws-sdk:s3:getObject`, ...
    fn integration(&mut self, state: &State, integration: &[&str]) {
        let (service, api) = match integration {
            ["aws-sdk", service, api, ..] => (*service, *api),
            [service, api, ..] => (*service, *api),
            _ => ("", ""),
        };
        let (api, pattern) = api.split_once('.').unwrap_or((api, ""));
        let sync = pattern == "sync";
        let payload = payload(state);
        let field = |key: &str| payload.and_then(|p| p.get(key));
        let name = alnum(&state.name);
        let dynamic = |what: &str| format!("{what} is not written literally in the definition");
        match (service, api) {
            ("lambda", "invoke") => match field("FunctionName").map(Arg::text) {
                Some(Text::Literal(function)) => {
                    if whole_placeholder(function).is_some_and(|key| {
                        self.names.functions.iter().any(|f| f.placeholder == key)
                    }) {
                        return; // a step: `InvokeSteps`
                    }
                    match self.function_arns(function) {
                        Some(resources) => {
                            self.allow(&name, &["lambda:InvokeFunction"], resources);
                        }
                        None => self.gap(
                            state,
                            &["lambda:InvokeFunction"],
                            json!("*"),
                            format!("the function `{function}` is neither a name nor an ARN"),
                        ),
                    }
                }
                _ => self.gap(
                    state,
                    &["lambda:InvokeFunction"],
                    json!("*"),
                    dynamic("FunctionName"),
                ),
            },
            ("dynamodb", _) => {
                let action = format!("dynamodb:{}", action_name(api));
                let table = match field("TableName").map(Arg::text) {
                    Some(Text::Literal(table)) => self.fragment(table),
                    _ => None,
                };
                match table {
                    Some(table) => {
                        let arn = if table.starts_with("arn:") {
                            table
                        } else {
                            format!("{}:table/{table}", arn_prefix("dynamodb"))
                        };
                        let mut resources = vec![sub(arn.clone())];
                        if matches!(api, "query" | "scan") {
                            resources.push(sub(format!("{arn}/index/*")));
                        }
                        self.allow(&name, &[&action], resources);
                    }
                    None => self.gap(state, &[&action], json!("*"), dynamic("TableName")),
                }
            }
            ("sqs", "sendMessage") => match field("QueueUrl").map(Arg::text) {
                Some(Text::Literal(url)) => match queue_arn(url) {
                    Some(arn) => {
                        self.allow(&name, &["sqs:SendMessage"], vec![sub(arn)]);
                    }
                    None => self.gap(
                        state,
                        &["sqs:SendMessage"],
                        json!("*"),
                        format!("the queue URL `{url}` is not https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, so its ARN is not known"),
                    ),
                },
                _ => self.gap(state, &["sqs:SendMessage"], json!("*"), dynamic("QueueUrl")),
            },
            ("sns", "publish") => match field("TopicArn").map(Arg::text) {
                Some(Text::Literal(topic)) => match self.literal(topic) {
                    Some(arn) => {
                        self.allow(&name, &["sns:Publish"], vec![arn]);
                    }
                    None => self.gap(state, &["sns:Publish"], json!("*"), dynamic("TopicArn")),
                },
                _ => self.gap(
                    state,
                    &["sns:Publish"],
                    json!("*"),
                    dynamic("TopicArn (or it publishes to a TargetArn or PhoneNumber)"),
                ),
            },
            ("events", "putEvents") => match self.event_buses(field("Entries")) {
                Some(buses) => {
                    self.allow(&name, &["events:PutEvents"], buses);
                }
                None => self.gap(
                    state,
                    &["events:PutEvents"],
                    sub("arn:${AWS::Partition}:events:*:*:event-bus/*".to_owned()),
                    dynamic("an entry's EventBusName (or Entries itself)"),
                ),
            },
            ("states", "startExecution") => self.start_execution(state, field("StateMachineArn"), sync),
            _ => {
                let action = match (integration.first().copied(), service, api) {
                    (_, "http", "invoke") => "states:InvokeHTTPEndpoint".to_owned(),
                    (_, "apigateway", "invoke") => "execute-api:Invoke".to_owned(),
                    (Some("aws-sdk"), "sfn", _) => format!("states:{}", action_name(api)),
                    _ => format!("{service}:{}", action_name(api)),
                };
                let more = if pattern.is_empty() {
                    ""
                } else {
                    "; the extra permissions of its `.sync`/callback pattern are not granted"
                };
                self.gap(
                    state,
                    &[&action],
                    json!("*"),
                    format!("stepfn does not scope the `{}` integration: its action is granted on every resource{more}", integration.join(":")),
                );
            }
        }
    }

    /// `lambda:InvokeFunction`'s resources for a `FunctionName`: a name, `name:qualifier`, an ARN or a placeholder.
    fn function_arns(&self, function: &str) -> Option<Vec<Value>> {
        if let Some(key) = whole_placeholder(function) {
            let variable = self.names.sub_variable(key)?;
            return Some(vec![
                json!({ "Ref": variable }),
                json!({ "Fn::Sub": format!("${{{variable}}}:*") }),
            ]);
        }
        let text = self.fragment(function)?;
        let colons = function.matches(':').count();
        let (arn, qualified) = if function.starts_with("arn:") {
            (text, colons > 6)
        } else if colons <= 1 {
            (
                format!("{}:function:{text}", arn_prefix("lambda")),
                colons == 1,
            )
        } else {
            return None;
        };
        let mut resources = vec![sub(arn.clone())];
        if !qualified {
            resources.push(sub(format!("{arn}:*")));
        }
        Some(resources)
    }

    /// The buses of `Entries`: each entry's `EventBusName` (a name or an ARN), the default bus when it has none.
    /// `None` when an entry's bus, or the entries, are computed.
    fn event_buses(&self, entries: Option<Arg<'_>>) -> Option<Vec<Value>> {
        let mut buses: Vec<Value> = Vec::new();
        for entry in entries?.items()? {
            let bus = match entry.get("EventBusName").map(Arg::text) {
                None => sub(format!("{}:event-bus/default", arn_prefix("events"))),
                Some(Text::Literal(bus)) => {
                    let text = self.fragment(bus)?;
                    if bus.starts_with("arn:") || whole_placeholder(bus).is_some() {
                        self.literal(bus)?
                    } else {
                        sub(format!("{}:event-bus/{text}", arn_prefix("events")))
                    }
                }
                Some(Text::Dynamic) => return None,
            };
            if !buses.contains(&bus) {
                buses.push(bus);
            }
        }
        (!buses.is_empty()).then_some(buses)
    }

    /// `states:startExecution`, and for `.sync` the describe/stop and EventBridge rule permissions AWS documents
    /// ("IAM policies for AWS Step Functions": nested executions).
    fn start_execution(&mut self, state: &State, machine: Option<Arg<'_>>, sync: bool) {
        let name = alnum(&state.name);
        let literal = match machine.map(Arg::text) {
            Some(Text::Literal(arn)) => self.literal(arn).map(|value| (arn, value)),
            _ => None,
        };
        let Some((arn, value)) = literal else {
            let mut actions = vec!["states:StartExecution"];
            if sync {
                actions.extend(["states:DescribeExecution", "states:StopExecution"]);
            }
            self.gap(
                state,
                &actions,
                json!("*"),
                "StateMachineArn is not written literally in the definition".into(),
            );
            if sync {
                self.execution_rule(&name);
            }
            return;
        };
        self.allow(&name, &["states:StartExecution"], vec![value]);
        if !sync {
            return;
        }
        match self.executions_of(arn) {
            Some(executions) => {
                self.allow(
                    &format!("{name}Executions"),
                    &["states:DescribeExecution", "states:StopExecution"],
                    vec![executions],
                );
            }
            None => self.gap(
                state,
                &["states:DescribeExecution", "states:StopExecution"],
                json!("*"),
                format!("the executions of `{arn}` cannot be named from it"),
            ),
        }
        self.execution_rule(&name);
    }

    /// The managed EventBridge rule Step Functions uses to learn that a nested execution ended.
    fn execution_rule(&mut self, name: &str) {
        self.allow(
            &format!("{name}ExecutionEvents"),
            &["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            vec![sub(format!(
                "{}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
                arn_prefix("events")
            ))],
        );
    }

    /// `arn:P:states:R:A:execution:NAME:*` for a state machine ARN `arn:P:states:R:A:stateMachine:NAME`, literal or
    /// a placeholder parameter.
    fn executions_of(&self, arn: &str) -> Option<Value> {
        if let Some(key) = whole_placeholder(arn) {
            let variable = self.names.sub_variable(key)?;
            return Some(json!({
                "Fn::Sub": [
                    format!("{}:execution:${{Name}}:*", arn_prefix("states")),
                    { "Name": { "Fn::Select": [6, { "Fn::Split": [":", { "Ref": variable }] }] } }
                ]
            }));
        }
        let text = self.fragment(arn)?;
        let parts: Vec<&str> = text.splitn(7, ':').collect();
        match parts.as_slice() {
            ["arn", _, "states", _, _, "stateMachine", name] if !name.contains(':') => {
                Some(sub(format!("{}:execution:{name}:*", parts[..5].join(":"))))
            }
            _ => None,
        }
    }
}

/// `K` when `text` is exactly `${K}`.
fn whole_placeholder(text: &str) -> Option<&str> {
    let key = text.strip_prefix("${")?.strip_suffix('}')?;
    (!key.is_empty() && !key.contains(['$', '{', '}'])).then_some(key)
}

/// An `Fn::Sub` of `text` when it names a variable, the plain string otherwise.
fn sub(text: String) -> Value {
    if text.contains("${") {
        json!({ "Fn::Sub": text })
    } else {
        Value::String(text)
    }
}

/// The ARN of a queue from its URL, `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` (or the legacy
/// `https://REGION.queue.amazonaws.com/...`), in the stack's partition.
fn queue_arn(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let mut parts = rest.split('/');
    let (host, account, name) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some_and(|p| !p.is_empty()) {
        return None;
    }
    let region = host
        .strip_prefix("sqs.")
        .and_then(|h| h.split_once(".amazonaws.com"))
        .or_else(|| host.split_once(".queue.amazonaws.com"))
        .map(|(region, _)| region)?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    (ok(region) && account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()) && ok(name))
        .then(|| format!("arn:${{AWS::Partition}}:sqs:{region}:{account}:{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_urls_become_arns() {
        assert_eq!(
            queue_arn("https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo").as_deref(),
            Some("arn:${AWS::Partition}:sqs:eu-west-1:123456789012:orders.fifo")
        );
        assert_eq!(
            queue_arn("https://us-east-1.queue.amazonaws.com/123456789012/q").as_deref(),
            Some("arn:${AWS::Partition}:sqs:us-east-1:123456789012:q")
        );
        assert_eq!(queue_arn("http://localhost:9324/queue/q"), None);
        assert_eq!(
            queue_arn("https://sqs.eu-west-1.amazonaws.com/notanaccount/q"),
            None
        );
    }

    #[test]
    fn api_names_become_actions() {
        assert_eq!(action_name("putItem"), "PutItem");
        assert_eq!(alnum("Record shipment #1"), "Recordshipment1");
        assert_eq!(alnum("—"), "State");
    }
}
