// Rule: ItemReader, ItemBatcher, ResultWriter, Label and tolerated failures need a distributed Map.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Each;
    Each: Map {
        ItemProcessor: { Step: Pass -> end; },
        ItemBatcher: { MaxItemsPerBatch: 10 },
    } -> end;
}

fn main() {}
