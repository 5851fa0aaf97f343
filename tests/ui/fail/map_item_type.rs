// Rule: the first step of a Map's item processor takes one item of the list the Map iterates.
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, Serialize)]
struct Line { sku: String }
#[derive(Deserialize, Serialize)]
struct Parcel { weight: u64 }

#[stepfn::step]
async fn lines(n: u64) -> Result<Vec<Line>, Infallible> { Ok(Vec::new()) }
#[stepfn::step]
async fn pack(parcel: Parcel) -> Result<Parcel, Infallible> { Ok(parcel) }

stepfn::workflow! {
    Packing;
    lines -> PackAll;
    PackAll: Map { ItemProcessor: { pack -> end; } } -> end;
}

fn main() {}
