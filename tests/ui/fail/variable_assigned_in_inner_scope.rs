// Rule: a Map iteration (or Parallel branch) may read an outer variable but not assign it.
use std::convert::Infallible;

#[stepfn::step]
async fn pack_item(item: u32) -> Result<u32, Infallible> { Ok(item) }

stepfn::workflow! {
    Orders;
    Start: Pass { Assign: { packed: 0 } } -> PackAll;
    PackAll: Map {
        ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            pack_item { Assign: { packed: 1 } } -> end;
        },
    } -> end;
}

fn main() {}
