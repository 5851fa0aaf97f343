// Valid: a workflow in one crate over `pub` steps of another (tests/step-library), named by path; their state
// names (`#[step(name = ...)]` included) and types are checked as for local steps.
use stepfn::Workflow;
use stepfn_step_library::{text, word_count};

stepfn::workflow! {
    Shout;
    text::uppercase_message -> stepfn_step_library::text::exclaim -> word_count -> end;
}

fn main() {
    let definition: serde_json::Value = serde_json::from_str(Shout::DEFINITION).unwrap();
    assert_eq!(definition["StartAt"], "UppercaseMessage");
    assert_eq!(definition["States"]["Add exclamation"]["Next"], "WordCount");
    assert_eq!(Shout::handlers().len(), 3);
}
