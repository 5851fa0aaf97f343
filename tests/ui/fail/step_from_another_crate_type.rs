// Rule: the type check holds for steps of another crate too (here a `usize` into a step taking a `Message`).
use stepfn_step_library::{text, word_count};

stepfn::workflow! {
    Counted;
    word_count -> text::exclaim -> end;
}

fn main() {}
