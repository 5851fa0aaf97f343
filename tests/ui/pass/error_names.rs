// Valid: a Retry or Catch on a step names, besides the step's own errors and `States.*`, every error Lambda and
// stepfn raise around a step: AWS's recommended retrier for Lambda service exceptions, `Stepfn.InvalidInput`,
// `Stepfn.Panic`, `Lambda.Unknown`.
use std::convert::Infallible;

#[derive(Debug, stepfn::StepError)]
enum ChargeError { Declined }
impl std::fmt::Display for ChargeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("declined") }
}

#[stepfn::step]
async fn charge(order: u32) -> Result<u32, ChargeError> { Ok(order) }

#[stepfn::step]
async fn notify(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    ErrorNames;
    charge {
        Retry: [
            {
                ErrorEquals: [
                    "Lambda.ClientExecutionTimeoutException",
                    "Lambda.ServiceException",
                    "Lambda.AWSLambdaException",
                    "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException",
                ],
                IntervalSeconds: 2,
                MaxAttempts: 6,
                BackoffRate: 2,
            },
            { ErrorEquals: ["Declined"], MaxAttempts: 1 },
        ],
        Catch: [
            { ErrorEquals: ["Stepfn.InvalidInput", "Stepfn.Panic"], Next: Failed },
            { ErrorEquals: ["Lambda.Unknown", "States.TaskFailed"], Next: Failed },
        ],
    } -> notify { Catch: [{ ErrorEquals: ["Stepfn.InvalidOutput"], Next: Failed }] } -> end;
    Failed: Fail { Error: "ChargeFailed" };
}

fn main() {}
