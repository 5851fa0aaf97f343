// Valid: loops with a way out. A Choice goes round again by a rule and leaves by its `Default`; a Task's `Catch`
// (with `ResultPath: null`, so the job goes round again, not the error) waits and tries again; its `Next` leaves.
use std::convert::Infallible;

#[stepfn::step]
async fn poll(job: u32) -> Result<u32, Infallible> { Ok(job) }

#[stepfn::step]
async fn upload(job: u32) -> Result<u32, Infallible> { Ok(job) }

stepfn::workflow! {
    RetryLoops;
    poll -> Ready;
    Ready: Choice { Choices: [{ Variable: "$.done", BooleanEquals: false, Next: Later }], Default: Upload };
    Later: Wait { Seconds: 30 } -> Poll;
    upload { Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: Backoff }] } -> Finished;
    Backoff: Wait { Seconds: 5 } -> Upload;
    Finished: Succeed;
}

fn main() {}
