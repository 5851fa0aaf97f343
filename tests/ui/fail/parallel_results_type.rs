// Rule: a Parallel passes on its branches' outputs in order: a tuple (a JSON array) of them.
use std::convert::Infallible;

#[stepfn::step]
async fn start(n: u64) -> Result<u64, Infallible> { Ok(n) }
#[stepfn::step]
async fn count(n: u64) -> Result<u64, Infallible> { Ok(n) }
#[stepfn::step]
async fn label(n: u64) -> Result<String, Infallible> { Ok(n.to_string()) }
#[stepfn::step]
async fn join(both: (String, u64)) -> Result<String, Infallible> { Ok(both.0) }

stepfn::workflow! {
    Fork;
    start -> Both;
    Both: Parallel { Branches: [{ count -> end; }, { label -> end; }] } -> join -> end;
}

fn main() {}
