//! `stepfn run DEF`: compile the definition file once, then run it with the flags every `run` shares
//! (`stepfn_engine::run_command`, the same as a workflow binary's `run`).

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use stepfn_engine::run_command::{usage_error, RunArgs};
use stepfn_engine::{Machine, Resources};

#[derive(Args)]
pub struct RunCommand {
    /// The definition file (`target/stepfn/<Name>.asl.json`, or any ASL JSON file).
    definition: PathBuf,
    #[command(flatten)]
    args: RunArgs,
}

/// The definition's name for `$$.StateMachine.Name` and the mock file: the file name without `.asl.json`.
fn name_of(definition: &std::path::Path) -> String {
    definition
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.trim_end_matches(".json").trim_end_matches(".asl"))
        .unwrap_or("StateMachine")
        .to_string()
}

pub fn run(command: RunCommand) -> ExitCode {
    let path = &command.definition;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            return usage_error(format!(
                "cannot read the definition {}: {e}",
                path.display()
            ))
        }
    };
    match Machine::from_json(&text) {
        // Tasks run here only through mocks: a bare definition has no steps to call.
        Ok(machine) => command
            .args
            .run(&machine.named(name_of(path)), Resources::default()),
        Err(e) => usage_error(format!("{}: {e}", path.display())),
    }
}
