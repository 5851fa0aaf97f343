//! Deterministic emission: the one place that turns a document into the bytes written to
//! `target/stepfn/<Name>.asl.json` and returned at run time.

use crate::StateMachine;

/// Pretty-printed JSON (two-space indent) with a trailing newline. Field order comes from the model and state order
/// from the document, so the same document always gives the same bytes.
pub fn to_pretty_json(machine: &StateMachine) -> String {
    let mut text =
        serde_json::to_string_pretty(machine).expect("an ASL document always serializes");
    text.push('\n');
    text
}
