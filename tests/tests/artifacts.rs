//! The artifact contract: `cargo build` writes `target/stepfn/<Name>.asl.json`, pretty and deterministic, byte for
//! byte the definition the workflow type returns, valid for AWS's tools, and rewritten when deleted or edited.

use message_pipeline::MessagePipeline;
use std::process::Command;
use stepfn::Workflow;
use stepfn_tests::{asl_validator, repo_root, target_dir};

fn artifact() -> std::path::PathBuf {
    target_dir().join("stepfn/MessagePipeline.asl.json")
}

#[test]
fn message_pipeline_definition_matches_its_snapshot() {
    insta::assert_snapshot!("MessagePipeline.asl.json", MessagePipeline::DEFINITION);
}

#[test]
fn the_definition_is_the_seed_workflow() {
    let definition: serde_json::Value = serde_json::from_str(MessagePipeline::DEFINITION).unwrap();
    assert_eq!(
        definition,
        serde_json::json!({
            "Comment": "My Step Functions Workflow",
            "StartAt": "UppercaseMessage",
            "States": {
                "UppercaseMessage": { "Type": "Task", "Resource": "${UppercaseMessageFunctionArn}", "End": true }
            }
        })
    );
}

#[test]
fn the_file_is_byte_identical_to_the_run_time_definition() {
    let written = std::fs::read_to_string(artifact()).expect("cargo build wrote the artifact");
    assert_eq!(written, MessagePipeline::DEFINITION);
    assert!(
        written.ends_with("}\n"),
        "pretty-printed with a final newline"
    );
}

#[test]
fn the_definition_is_valid_and_emitted_deterministically() {
    let document: serde_json::Value = serde_json::from_str(MessagePipeline::DEFINITION).unwrap();
    assert_eq!(stepfn_asl::validate_document(&document), vec![]);
    assert_eq!(
        stepfn_asl::to_pretty_json(&document),
        MessagePipeline::DEFINITION,
        "emission is deterministic"
    );
}

#[test]
fn real_arns_replace_the_placeholders() {
    let arn = "arn:aws:lambda:eu-west-1:123456789012:function:uppercase";
    let rendered =
        MessagePipeline::definition_with([("UppercaseMessageFunctionArn", arn)]).unwrap();
    let definition: serde_json::Value = serde_json::from_str(&rendered).unwrap();
    assert_eq!(definition["States"]["UppercaseMessage"]["Resource"], arn);
    let missing = MessagePipeline::definition_with([]).unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("${UppercaseMessageFunctionArn}"),
        "{missing}"
    );
}

#[test]
fn asl_validator_accepts_the_emitted_definitions() {
    let Some(validator) = asl_validator() else {
        return;
    };
    let placeholder_form = artifact();
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:uppercase-message";
    let deployable = target_dir().join("stepfn-test-MessagePipeline.deployable.asl.json");
    std::fs::write(
        &deployable,
        MessagePipeline::definition_with([("UppercaseMessageFunctionArn", arn)]).unwrap(),
    )
    .unwrap();
    for (file, extra) in [
        (&placeholder_form, &["--no-arn-check"][..]),
        (&deployable, &[][..]),
    ] {
        let output = Command::new(&validator)
            .arg("--json-path")
            .arg(file)
            .args(extra)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "asl-validator rejected {}:\n{report}",
            file.display()
        );
    }
}

/// Deleting or editing the artifact and running `cargo build` again restores it. Uses its own target directory,
/// since the one running this test is locked by Cargo.
#[test]
fn cargo_build_regenerates_a_deleted_or_edited_artifact() {
    let target = target_dir().join("stepfn-regeneration-test");
    let file = target.join("stepfn/MessagePipeline.asl.json");
    let build = || {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "message-pipeline"])
            .current_dir(repo_root())
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("STEPFN_OUT_DIR")
            .status()
            .unwrap();
        assert!(status.success());
    };
    build();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        MessagePipeline::DEFINITION
    );

    std::fs::remove_file(&file).unwrap();
    build();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        MessagePipeline::DEFINITION,
        "rewritten after deletion"
    );

    std::thread::sleep(std::time::Duration::from_millis(1100)); // a newer mtime than the last build, on any file system
    std::fs::write(&file, "{}").unwrap();
    build();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        MessagePipeline::DEFINITION,
        "rewritten after an edit"
    );
}
