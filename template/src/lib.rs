//! The deployment template of a stepfn workflow: one plain CloudFormation JSON document with a Lambda function per
//! step (all on the workflow's one `bootstrap`, the handler naming the step), the state machine (its definition as
//! `DefinitionString`, its placeholders filled by `DefinitionSubstitutions`), a least-privilege execution role read
//! from the typed model of the definition ([`iam`]), a log group with the logging configuration, X-Ray tracing,
//! parameters for what a deployment overrides and outputs for the ARNs.
//!
//! One generator for every caller: `workflow!` writes `target/stepfn/<Name>.template.json` at compile time, a
//! workflow binary's `template` command prints the same bytes, and `stepfn template FILE.asl.json` makes one for an
//! ASL file. Deterministic: the same definition and steps always give the same bytes. Depends on the ASL model and
//! serde_json only, so the macro crate stays light.

mod iam;
mod value;

use heck::ToSnakeCase;
use serde_json::{json, Map, Value};
use stepfn_asl::model::Definition;

/// A step of the workflow: one Lambda function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The Rust function's name, the function's Lambda handler (`validate_order`).
    pub function: String,
    /// The key of its ARN placeholder, `${<resource_key>FunctionArn}` (`ValidateOrder`).
    pub resource_key: String,
}

/// The file name of a workflow's template beside its definition: `<Name>.template.json`.
pub fn file_name(workflow: &str) -> String {
    format!("{workflow}.template.json")
}

/// The template of workflow `workflow` whose definition is `definition` (the text deployed, byte for byte) and
/// whose steps are `steps`. Every other `${Name}` placeholder of the definition becomes a parameter. The error lists
/// the definition's problems.
pub fn cloudformation(workflow: &str, definition: &str, steps: &[Step]) -> Result<String, String> {
    let model = Definition::parse(definition).map_err(|problems| {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", pointer(&p.pointer), p.message))
            .collect();
        format!("the definition is not valid: {}", lines.join("; "))
    })?;
    let template = build(workflow, definition, &model, steps);
    Ok(stepfn_asl::to_pretty_json(&template))
}

/// The template of an ASL file, whose steps are not known: each `${<Key>FunctionArn}` placeholder becomes a Lambda
/// function (logical ID `<Key>Function`) whose handler is `<Key>` in snake case (`ValidateOrder` →
/// `validate_order`), the function name `#[step]` derives that key from.
pub fn cloudformation_for_asl(workflow: &str, definition: &str) -> Result<String, String> {
    let steps: Vec<Step> = stepfn_asl::placeholders(definition)
        .iter()
        .filter_map(|key| key.strip_suffix("FunctionArn"))
        .filter(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|key| Step {
            function: key.to_snake_case(),
            resource_key: key.to_owned(),
        })
        .collect();
    cloudformation(workflow, definition, &steps)
}

fn pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "/"
    } else {
        pointer
    }
}

/// A Lambda function of the template.
pub(crate) struct Function {
    /// `<Key>Function`.
    pub logical_id: String,
    pub handler: String,
    /// `<Key>FunctionArn`.
    pub placeholder: String,
}

/// A placeholder that is not a step's: a parameter of the template.
pub(crate) struct Parameter {
    pub name: String,
    pub placeholder: String,
}

/// What the definition's placeholders stand for in the template.
pub(crate) struct Names {
    pub functions: Vec<Function>,
    pub parameters: Vec<Parameter>,
}

impl Names {
    /// The `Fn::Sub` variable a placeholder becomes: a function's `<Logical>.Arn` or a parameter's name.
    pub fn sub_variable(&self, placeholder: &str) -> Option<String> {
        if let Some(function) = self.functions.iter().find(|f| f.placeholder == placeholder) {
            return Some(format!("{}.Arn", function.logical_id));
        }
        self.parameters
            .iter()
            .find(|p| p.placeholder == placeholder)
            .map(|p| p.name.clone())
    }

    /// The CloudFormation value a placeholder becomes.
    pub fn value_of(&self, placeholder: &str) -> Option<Value> {
        if let Some(function) = self.functions.iter().find(|f| f.placeholder == placeholder) {
            return Some(json!({ "Fn::GetAtt": [function.logical_id, "Arn"] }));
        }
        self.parameters
            .iter()
            .find(|p| p.placeholder == placeholder)
            .map(|p| json!({ "Ref": p.name }))
    }
}

/// The fixed parameters, resources and conditions: no placeholder parameter may take their names.
const RESERVED: &[&str] = &[
    "CodeS3Bucket",
    "CodeS3Key",
    "Architecture",
    "FunctionNamePrefix",
    "FunctionMemorySize",
    "FunctionTimeout",
    "StateMachineName",
    "LogLevel",
    "LogIncludeExecutionData",
    "LogRetentionInDays",
    "Tracing",
    "HasFunctionNamePrefix",
    "HasStateMachineName",
    "IncludeExecutionData",
    "TracingEnabled",
    "FunctionRole",
    "StateMachine",
    "StateMachineRole",
    "StateMachineLogGroup",
];

fn names(definition: &str, steps: &[Step]) -> Names {
    let mut functions: Vec<Function> = Vec::new();
    for step in steps {
        let key: String = step
            .resource_key
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let placeholder = stepfn_asl::function_arn_placeholder(&step.resource_key);
        if functions.iter().any(|f| f.placeholder == placeholder) {
            continue;
        }
        functions.push(Function {
            logical_id: format!("{key}Function"),
            handler: step.function.clone(),
            placeholder,
        });
    }
    let mut taken: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    for function in &functions {
        taken.push(function.logical_id.clone());
        taken.push(format!("{}Arn", function.logical_id));
        taken.push(format!("{}Name", function.logical_id));
    }
    let mut parameters = Vec::new();
    for placeholder in stepfn_asl::placeholders(definition) {
        if functions.iter().any(|f| f.placeholder == placeholder) {
            continue;
        }
        let base: String = placeholder
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let base = if base.is_empty() {
            "Placeholder".to_owned()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.push(name.clone());
        parameters.push(Parameter { name, placeholder });
    }
    Names {
        functions,
        parameters,
    }
}

fn build(workflow: &str, definition: &str, model: &Definition, steps: &[Step]) -> Value {
    let names = names(definition, steps);
    let has_functions = !names.functions.is_empty();
    let policy = iam::state_machine_policy(model, &names);

    let mut parameters = Map::new();
    if has_functions {
        parameters.insert(
            "CodeS3Bucket".into(),
            json!({
                "Type": "String",
                "Description": "The S3 bucket holding the workflow's Lambda package (the bootstrap.zip `cargo lambda build --output-format zip` makes)",
                "MinLength": 3
            }),
        );
        parameters.insert(
            "CodeS3Key".into(),
            json!({
                "Type": "String",
                "Description": "The package's key in CodeS3Bucket (upload each build under a new key: CloudFormation updates the functions' code only when it changes)",
                "Default": "bootstrap.zip",
                "MinLength": 1
            }),
        );
        parameters.insert(
            "Architecture".into(),
            json!({
                "Type": "String",
                "Description": "The instruction set the package was built for (`cargo lambda build --arm64` for arm64)",
                "AllowedValues": ["x86_64", "arm64"],
                "Default": "x86_64"
            }),
        );
        parameters.insert(
            "FunctionNamePrefix".into(),
            json!({
                "Type": "String",
                "Description": "Names the functions `<prefix>-<step function name>`; empty lets CloudFormation name them",
                "Default": "",
                "AllowedPattern": "^[a-zA-Z0-9_-]*$",
                "MaxLength": 32
            }),
        );
        parameters.insert(
            "FunctionMemorySize".into(),
            json!({
                "Type": "Number",
                "Description": "Memory of each function, in MB",
                "Default": 128,
                "MinValue": 128,
                "MaxValue": 10240
            }),
        );
        parameters.insert(
            "FunctionTimeout".into(),
            json!({
                "Type": "Number",
                "Description": "Timeout of each function, in seconds",
                "Default": 30,
                "MinValue": 1,
                "MaxValue": 900
            }),
        );
    }
    parameters.insert(
        "StateMachineName".into(),
        json!({
            "Type": "String",
            "Description": "The state machine's name; empty lets CloudFormation name it",
            "Default": "",
            "AllowedPattern": "^[a-zA-Z0-9_-]*$",
            "MaxLength": 80
        }),
    );
    parameters.insert(
        "LogLevel".into(),
        json!({
            "Type": "String",
            "Description": "Which execution events the state machine logs to its log group",
            "AllowedValues": ["ALL", "ERROR", "FATAL", "OFF"],
            "Default": "ERROR"
        }),
    );
    parameters.insert(
        "LogIncludeExecutionData".into(),
        json!({
            "Type": "String",
            "Description": "Whether the logged events include the states' input and output",
            "AllowedValues": ["true", "false"],
            "Default": "false"
        }),
    );
    parameters.insert(
        "LogRetentionInDays".into(),
        json!({
            "Type": "Number",
            "Description": "How long the state machine's log group keeps events",
            "AllowedValues": [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
            "Default": 30
        }),
    );
    parameters.insert(
        "Tracing".into(),
        json!({
            "Type": "String",
            "Description": "Whether AWS X-Ray traces the state machine and the functions",
            "AllowedValues": ["true", "false"],
            "Default": "true"
        }),
    );
    for parameter in &names.parameters {
        parameters.insert(
            parameter.name.clone(),
            json!({
                "Type": "String",
                "Description": format!("The value of the definition's `{}` placeholder", parameter.placeholder),
                "MinLength": 1
            }),
        );
    }

    let mut conditions = Map::new();
    if has_functions {
        conditions.insert(
            "HasFunctionNamePrefix".into(),
            json!({ "Fn::Not": [{ "Fn::Equals": [{ "Ref": "FunctionNamePrefix" }, ""] }] }),
        );
    }
    conditions.insert(
        "HasStateMachineName".into(),
        json!({ "Fn::Not": [{ "Fn::Equals": [{ "Ref": "StateMachineName" }, ""] }] }),
    );
    conditions.insert(
        "IncludeExecutionData".into(),
        json!({ "Fn::Equals": [{ "Ref": "LogIncludeExecutionData" }, "true"] }),
    );
    conditions.insert(
        "TracingEnabled".into(),
        json!({ "Fn::Equals": [{ "Ref": "Tracing" }, "true"] }),
    );

    let mut resources = Map::new();
    if has_functions {
        resources.insert(
            "FunctionRole".into(),
            json!({
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "Description": format!("The execution role of the {workflow} workflow's Lambda functions (attach what your steps call)"),
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": { "Service": "lambda.amazonaws.com" },
                            "Action": "sts:AssumeRole"
                        }]
                    },
                    "ManagedPolicyArns": [
                        { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
                        {
                            "Fn::If": [
                                "TracingEnabled",
                                { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess" },
                                { "Ref": "AWS::NoValue" }
                            ]
                        }
                    ]
                }
            }),
        );
    }
    for function in &names.functions {
        resources.insert(
            function.logical_id.clone(),
            json!({
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": {
                        "Fn::If": [
                            "HasFunctionNamePrefix",
                            { "Fn::Sub": format!("${{FunctionNamePrefix}}-{}", function.handler) },
                            { "Ref": "AWS::NoValue" }
                        ]
                    },
                    "Description": format!("The {} step of the {workflow} workflow", function.handler),
                    "Code": {
                        "S3Bucket": { "Ref": "CodeS3Bucket" },
                        "S3Key": { "Ref": "CodeS3Key" }
                    },
                    "Handler": function.handler,
                    "Runtime": "provided.al2023",
                    "Architectures": [{ "Ref": "Architecture" }],
                    "MemorySize": { "Ref": "FunctionMemorySize" },
                    "Timeout": { "Ref": "FunctionTimeout" },
                    "Role": { "Fn::GetAtt": ["FunctionRole", "Arn"] },
                    "TracingConfig": {
                        "Mode": { "Fn::If": ["TracingEnabled", "Active", "PassThrough"] }
                    }
                }
            }),
        );
    }
    resources.insert(
        "StateMachineLogGroup".into(),
        json!({
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": { "Fn::Sub": format!("/aws/vendedlogs/states/${{AWS::StackName}}-{workflow}") },
                "RetentionInDays": { "Ref": "LogRetentionInDays" }
            }
        }),
    );
    resources.insert(
        "StateMachineRole".into(),
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": format!("The execution role of the {workflow} state machine: what its states call, nothing more"),
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "Service": "states.amazonaws.com" },
                        "Action": "sts:AssumeRole"
                    }]
                },
                "Policies": [{
                    "PolicyName": "StateMachineExecution",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": policy.statements
                    }
                }]
            }
        }),
    );
    let mut substitutions = Map::new();
    for function in &names.functions {
        substitutions.insert(
            function.placeholder.clone(),
            json!({ "Fn::GetAtt": [function.logical_id, "Arn"] }),
        );
    }
    for parameter in &names.parameters {
        substitutions.insert(
            parameter.placeholder.clone(),
            json!({ "Ref": parameter.name }),
        );
    }
    let mut machine = Map::new();
    machine.insert(
        "StateMachineName".into(),
        json!({ "Fn::If": ["HasStateMachineName", { "Ref": "StateMachineName" }, { "Ref": "AWS::NoValue" }] }),
    );
    machine.insert("StateMachineType".into(), json!("STANDARD"));
    machine.insert("DefinitionString".into(), json!(definition));
    if !substitutions.is_empty() {
        machine.insert(
            "DefinitionSubstitutions".into(),
            Value::Object(substitutions),
        );
    }
    machine.insert(
        "RoleArn".into(),
        json!({ "Fn::GetAtt": ["StateMachineRole", "Arn"] }),
    );
    machine.insert(
        "LoggingConfiguration".into(),
        json!({
            "Level": { "Ref": "LogLevel" },
            "IncludeExecutionData": { "Fn::If": ["IncludeExecutionData", true, false] },
            "Destinations": [{
                "CloudWatchLogsLogGroup": {
                    "LogGroupArn": { "Fn::GetAtt": ["StateMachineLogGroup", "Arn"] }
                }
            }]
        }),
    );
    machine.insert(
        "TracingConfiguration".into(),
        json!({ "Enabled": { "Fn::If": ["TracingEnabled", true, false] } }),
    );
    resources.insert(
        "StateMachine".into(),
        json!({ "Type": "AWS::StepFunctions::StateMachine", "Properties": machine }),
    );

    let mut outputs = Map::new();
    outputs.insert(
        "StateMachineArn".into(),
        json!({ "Description": format!("The ARN of the {workflow} state machine"), "Value": { "Ref": "StateMachine" } }),
    );
    outputs.insert(
        "StateMachineName".into(),
        json!({ "Description": format!("The name of the {workflow} state machine"), "Value": { "Fn::GetAtt": ["StateMachine", "Name"] } }),
    );
    outputs.insert(
        "StateMachineLogGroupName".into(),
        json!({ "Description": "The log group of the state machine's execution events", "Value": { "Ref": "StateMachineLogGroup" } }),
    );
    for function in &names.functions {
        outputs.insert(
            format!("{}Arn", function.logical_id),
            json!({
                "Description": format!("The ARN of the {} step's function", function.handler),
                "Value": { "Fn::GetAtt": [function.logical_id, "Arn"] }
            }),
        );
        outputs.insert(
            format!("{}Name", function.logical_id),
            json!({
                "Description": format!("The name of the {} step's function", function.handler),
                "Value": { "Ref": function.logical_id }
            }),
        );
    }

    let steps = names.functions.len();
    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    template.insert(
        "Description".into(),
        json!(format!(
            "The {workflow} workflow (generated by stepfn): its state machine, {steps} Lambda function{}, their roles, logs and tracing",
            if steps == 1 { "" } else { "s" }
        )),
    );
    let mut metadata = Map::new();
    metadata.insert("Workflow".into(), json!(workflow));
    metadata.insert(
        "Steps".into(),
        Value::Array(
            names
                .functions
                .iter()
                .map(|f| json!({ "Handler": f.handler, "Function": f.logical_id, "Placeholder": f.placeholder }))
                .collect(),
        ),
    );
    metadata.insert(
        "UnscopedPermissions".into(),
        Value::Array(policy.gaps.iter().map(iam::Gap::to_json).collect()),
    );
    template.insert("Metadata".into(), json!({ "stepfn": metadata }));
    template.insert("Parameters".into(), Value::Object(parameters));
    template.insert("Conditions".into(), Value::Object(conditions));
    template.insert("Resources".into(), Value::Object(resources));
    template.insert("Outputs".into(), Value::Object(outputs));
    Value::Object(template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_asl_file_gets_a_function_per_function_placeholder_and_a_parameter_per_other() {
        let definition = r#"{
  "StartAt": "A",
  "States": {
    "A": { "Type": "Task", "Resource": "${ValidateOrderFunctionArn}", "Next": "B" },
    "B": { "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": { "QueueUrl": "${QueueUrl}", "MessageBody.$": "$" }, "End": true }
  }
}
"#;
        let text = cloudformation_for_asl("Orders", definition).unwrap();
        let template: Value = serde_json::from_str(&text).unwrap();
        let function = &template["Resources"]["ValidateOrderFunction"]["Properties"];
        assert_eq!(function["Handler"], "validate_order");
        assert_eq!(template["Parameters"]["QueueUrl"]["Type"], "String");
        let substitutions =
            &template["Resources"]["StateMachine"]["Properties"]["DefinitionSubstitutions"];
        assert_eq!(
            substitutions["ValidateOrderFunctionArn"],
            json!({ "Fn::GetAtt": ["ValidateOrderFunction", "Arn"] })
        );
        assert_eq!(substitutions["QueueUrl"], json!({ "Ref": "QueueUrl" }));
        assert_eq!(
            template["Resources"]["StateMachine"]["Properties"]["DefinitionString"],
            definition
        );
        // Deterministic.
        assert_eq!(cloudformation_for_asl("Orders", definition).unwrap(), text);
    }

    #[test]
    fn an_invalid_definition_is_an_error() {
        let error = cloudformation("X", r#"{"StartAt": "A", "States": {}}"#, &[]).unwrap_err();
        assert!(
            error.starts_with("the definition is not valid: "),
            "{error}"
        );
    }

    #[test]
    fn a_placeholder_never_takes_a_fixed_name() {
        let definition = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${StateMachine}-${my.value}", "End": true}}}"#;
        let text = cloudformation("X", definition, &[]).unwrap();
        let template: Value = serde_json::from_str(&text).unwrap();
        let substitutions =
            &template["Resources"]["StateMachine"]["Properties"]["DefinitionSubstitutions"];
        assert_eq!(
            substitutions["StateMachine"],
            json!({ "Ref": "StateMachine2" })
        );
        assert_eq!(substitutions["my.value"], json!({ "Ref": "myvalue" }));
        assert!(template["Parameters"].get("CodeS3Bucket").is_none());
        assert!(template["Resources"].get("FunctionRole").is_none());
    }
}
