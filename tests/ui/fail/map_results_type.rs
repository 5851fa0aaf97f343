// Rule: a Map passes on a `Vec` of its item processor's output (with no ResultSelector, ResultPath or OutputPath).
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
async fn total(priced: Priced) -> Result<u64, Infallible> { Ok(priced.cents) }

stepfn::workflow! {
    Pricing;
    lines -> Prices;
    Prices: Map { ItemProcessor: { price -> end; } } -> total -> end;
}

fn main() {}
