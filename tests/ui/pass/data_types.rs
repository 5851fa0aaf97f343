// Valid: the type check follows the data through a Choice (every target), into a Map's item processor (an item of
// the list before it) and out of it (a Vec of the processor's output), out of a Parallel (a tuple of its branches'
// outputs, in order), and into the state after a Catch (`stepfn::Caught`; `ResultPath: null` keeps the input).
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use stepfn::{Caught, StepError};

#[derive(Deserialize, Serialize)]
pub struct Order { id: String, lines: Vec<Line> }
#[derive(Deserialize, Serialize)]
pub struct Line { sku: String }
#[derive(Deserialize, Serialize)]
pub struct Priced { sku: String, cents: u64 }

#[derive(Debug, StepError)]
pub enum ChargeError { Declined }
impl std::fmt::Display for ChargeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("declined") }
}

#[stepfn::step]
async fn lines(order: Order) -> Result<Vec<Line>, Infallible> { Ok(order.lines) }
#[stepfn::step]
async fn price(line: Line) -> Result<Priced, Infallible> { Ok(Priced { sku: line.sku, cents: 1 }) }
#[stepfn::step]
async fn total(priced: Vec<Priced>) -> Result<u64, Infallible> { Ok(priced.iter().map(|p| p.cents).sum()) }
#[stepfn::step]
async fn charge(cents: u64) -> Result<u64, ChargeError> { Ok(cents) }
#[stepfn::step]
async fn audit(cents: u64) -> Result<bool, Infallible> { Ok(cents > 0) }
#[stepfn::step]
async fn ship(done: (u64, bool)) -> Result<u64, Infallible> { Ok(done.0) }
#[stepfn::step]
async fn refund(caught: Caught) -> Result<String, Infallible> { Ok(caught.error) }
#[stepfn::step]
async fn retry_later(cents: u64) -> Result<u64, Infallible> { Ok(cents) }

stepfn::workflow! {
    Typed;
    lines -> Prices;
    Prices: Map { ItemProcessor: { price -> end; } } -> total -> Big;
    Big: Choice {
        Choices: [{ Variable: "$", NumericGreaterThan: 100, Next: Both }],
        Default: Both,
    };
    Both: Parallel {
        Branches: [
            { charge { Catch: [{ ErrorEquals: ["Declined"], Next: Refund }] } -> end; Refund: Task(refund) -> Failed; Failed: Fail; },
            { audit -> end; },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: RetryLater }],
    } -> ship -> end;
    RetryLater: Task(retry_later) -> end;
}

fn main() {}

// A step taking `serde_json::Value` takes whatever reaches it: a caught error, a typed output.
#[stepfn::step]
async fn log_anything(value: serde_json::Value) -> Result<serde_json::Value, Infallible> { Ok(value) }

stepfn::workflow! {
    AnyJson;
    charge { Catch: [{ ErrorEquals: ["States.ALL"], Next: Log }] } -> Log;
    Log: Task(log_anything) -> end;
}

// Map results item by item: a list of a type that declares it reads the processor's output.
#[derive(Deserialize, Serialize)]
pub struct PricedSummary { cents: u64 }
impl stepfn::Accepts<Priced> for PricedSummary {}
#[stepfn::step]
async fn summarize(all: std::collections::VecDeque<PricedSummary>) -> Result<u64, Infallible> { Ok(all.len() as u64) }

stepfn::workflow! {
    ItemByItem;
    lines -> PriceAll;
    PriceAll: Map { ItemProcessor: { Price: Task(price) -> end; } } -> summarize -> end;
}

// Parallel results element by element: a tuple whose elements declare they read the branches' outputs.
#[derive(Deserialize, Serialize)]
pub struct Charged { cents: u64 }
impl stepfn::Accepts<u64> for Charged {}
#[stepfn::step]
async fn settle(both: (Charged, bool)) -> Result<u64, Infallible> { Ok(both.0.cents) }

stepfn::workflow! {
    ElementByElement;
    total -> Fork;
    Fork: Parallel { Branches: [{ Charge: Task(charge) -> end; }, { Audit: Task(audit) -> end; }] } -> settle -> end;
}
