//! The deployment template (README, "Deployment template"): `cargo build` writes `target/stepfn/<Name>.template.json`
//! beside the definition, the workflow binary's `template` prints the same bytes, the templates of both examples and
//! of a workflow using every service integration the template scopes are snapshotted, and cfn-lint (installed by
//! `scripts/test` into `.tools/cfn-lint`) reports nothing on any of them.

use message_pipeline::MessagePipeline;
use order_pipeline::{OrderPipeline, OrderPipelineJsonata};
use std::path::{Path, PathBuf};
use std::process::Command;
use stepfn::Workflow;
use stepfn_tests::{find_tool, repo_root, target_dir};

/// `tests/templates/Integrations.asl.json`: DynamoDB (literal, placeholder and run-time tables), SQS (with a task
/// token), SNS (JSONata), EventBridge, nested Step Functions (`.sync:2` and a placeholder ARN), `lambda:invoke`
/// (literal and run-time names) and an `aws-sdk` integration the template does not scope.
fn integrations() -> (String, String) {
    let file = repo_root().join("tests/templates/Integrations.asl.json");
    let definition = std::fs::read_to_string(&file).unwrap();
    let template = stepfn_template::cloudformation_for_asl("Integrations", &definition).unwrap();
    (definition, template)
}

/// Every template under test: its name and text.
fn templates() -> Vec<(&'static str, String)> {
    fn of<W: Workflow>() -> (&'static str, String) {
        (W::NAME, W::template().unwrap())
    }
    vec![
        of::<MessagePipeline>(),
        of::<OrderPipeline>(),
        of::<OrderPipelineJsonata>(),
        ("Integrations", integrations().1),
    ]
}

#[test]
fn templates_match_their_snapshots() {
    for (name, template) in templates() {
        insta::assert_snapshot!(format!("{name}.template.json"), template);
    }
}

#[test]
fn cargo_build_wrote_the_templates_beside_the_definitions() {
    fn check<W: Workflow>() {
        let file = target_dir().join(format!("stepfn/{}.template.json", W::NAME));
        let written = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cargo build wrote {}: {e}", file.display()));
        assert_eq!(written, W::template().unwrap(), "{}", W::NAME);
    }
    check::<MessagePipeline>();
    check::<OrderPipeline>();
    check::<OrderPipelineJsonata>();
}

/// The order-pipeline binary for this test's profile, built here (`cargo test` builds the example's library only).
fn order_pipeline_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let profile = profile_dir.file_name().and_then(|n| n.to_str()).unwrap();
    let profile = if profile == "debug" { "dev" } else { profile };
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "-p",
            "order-pipeline",
            "--bin",
            "order-pipeline",
        ])
        .args(["--profile", profile])
        .current_dir(repo_root())
        .env("CARGO_TARGET_DIR", target_dir())
        .status()
        .unwrap();
    assert!(status.success(), "cargo build -p order-pipeline");
    profile_dir.join(format!("order-pipeline{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn the_binary_prints_the_template_cargo_build_wrote() {
    let output = Command::new(order_pipeline_binary())
        .arg("template")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read(target_dir().join("stepfn/OrderPipeline.template.json")).unwrap();
    assert!(
        output.stdout == written,
        "`order-pipeline template` printed other bytes than the file"
    );
}

#[test]
fn the_template_is_what_the_definition_needs() {
    let template: serde_json::Value =
        serde_json::from_str(&OrderPipeline::template().unwrap()).unwrap();
    let resources = &template["Resources"];
    // One function per step, all on the one bootstrap, the handler naming the step.
    for handler in OrderPipeline::handlers() {
        let function = &resources[format!("{}Function", handler.resource_key)]["Properties"];
        assert_eq!(function["Handler"], handler.fn_name);
        assert_eq!(function["Runtime"], "provided.al2023");
        assert_eq!(
            function["Code"]["S3Key"],
            serde_json::json!({ "Ref": "CodeS3Key" })
        );
    }
    let machine = &resources["StateMachine"]["Properties"];
    assert_eq!(machine["DefinitionString"], OrderPipeline::DEFINITION);
    let substitutions = machine["DefinitionSubstitutions"].as_object().unwrap();
    let keys: Vec<&String> = substitutions.keys().collect();
    let mut placeholders = OrderPipeline::placeholders();
    placeholders.sort();
    let mut keys: Vec<String> = keys.into_iter().cloned().collect();
    keys.sort();
    assert_eq!(keys, placeholders, "every placeholder is substituted");
    // Least privilege: the steps, and the `orders` table's PutItem, and nothing unscoped.
    let statements = resources["StateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"]
        .as_array()
        .unwrap();
    let table = statements
        .iter()
        .find(|s| s["Sid"] == "RecordShipment")
        .unwrap();
    assert_eq!(table["Action"], serde_json::json!(["dynamodb:PutItem"]));
    assert_eq!(
        table["Resource"]["Fn::Sub"],
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders"
    );
    assert_eq!(
        template["Metadata"]["stepfn"]["UnscopedPermissions"],
        serde_json::json!([])
    );

    // The workflow using every integration: each scoped one names its resource; the unscoped ones are the three
    // whose resource the definition does not name, each documented.
    let (_, text) = integrations();
    let template: serde_json::Value = serde_json::from_str(&text).unwrap();
    let gaps: Vec<&str> = template["Metadata"]["stepfn"]["UnscopedPermissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|gap| gap["State"].as_str().unwrap())
        .collect();
    assert_eq!(gaps, ["ReadCustomer", "CallPartner", "ArchiveOrder"]);
    let statements = template["Resources"]["StateMachineRole"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    for statement in statements.iter().filter(|s| s.get("Sid").is_some()) {
        let sid = statement["Sid"].as_str().unwrap();
        let everywhere = statement["Resource"] == "*";
        let documented = sid.starts_with("Unscoped") || ["LogDelivery"].contains(&sid);
        assert_eq!(
            everywhere, documented,
            "{sid}: only documented gaps take `*`"
        );
    }
}

/// cfn-lint from PyPI, as `scripts/test` installs it, or from `STEPFN_CFN_LINT`.
fn cfn_lint() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("STEPFN_CFN_LINT")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.push(repo_root().join(".tools/cfn-lint/bin/cfn-lint"));
    find_tool("cfn-lint", &candidates)
}

#[test]
fn cfn_lint_reports_nothing() {
    let Some(cfn_lint) = cfn_lint() else {
        return;
    };
    let dir = target_dir().join("stepfn-cfn-lint");
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (name, template) in templates() {
        let file = dir.join(stepfn_template::file_name(name));
        std::fs::write(&file, template).unwrap();
        files.push(file);
    }
    let output = Command::new(&cfn_lint).args(&files).output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "cfn-lint reported on {files:?}:\n{report}"
    );
}
