// Rule: a step's input type deserializes from JSON.
struct Order;

#[stepfn::step]
async fn validate_order(_order: Order) -> Result<u32, std::convert::Infallible> { Ok(1) }

fn main() {}
