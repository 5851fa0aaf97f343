// Rule: a workflow has at least one state.
stepfn::workflow! {
    Orders { Comment: "nothing yet" }
}

fn main() {}
