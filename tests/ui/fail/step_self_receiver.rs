// Rule: a step is a free function, not a method with `self`.
struct Orders;

impl Orders {
    #[stepfn::step]
    async fn validate_order(&self, order: u32) -> Result<u32, std::convert::Infallible> { Ok(order) }
}

fn main() {}
