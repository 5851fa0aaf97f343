// Rule: where ASL names a state (a Choice rule's `Next`, `Default`, a Catch's `Next`), write the state's name, not
// the step's path.
mod steps {
    use std::convert::Infallible;

    #[stepfn::step]
    pub async fn charge(n: u32) -> Result<u32, Infallible> { Ok(n) }
}

stepfn::workflow! {
    Pay;
    Route: Choice { Choices: [{ Variable: "$", NumericGreaterThan: 0, Next: steps::charge }], Default: Done };
    steps::charge -> Done;
    Done: Succeed;
}

fn main() {}
