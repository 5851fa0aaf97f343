// Rule: after a Map, a list whose items are not the processor's output (nor declare `Accepts` of it) is refused.
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, Serialize)]
struct Line { sku: String }
#[derive(Deserialize, Serialize)]
struct Priced { cents: u64 }

#[stepfn::step]
async fn lines(n: u64) -> Result<Vec<Line>, Infallible> { Ok(Vec::new()) }
#[stepfn::step]
async fn price(line: Line) -> Result<Priced, Infallible> { Ok(Priced { cents: 1 }) }
#[stepfn::step]
async fn total(priced: Vec<Line>) -> Result<u64, Infallible> { Ok(priced.len() as u64) }

stepfn::workflow! {
    Pricing;
    lines -> Prices;
    Prices: Map { ItemProcessor: { price -> end; } } -> total -> end;
}

fn main() {}
