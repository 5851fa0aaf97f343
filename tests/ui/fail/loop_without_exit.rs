// Rule: a loop needs a way out; one reported at the transition that closes it (here a `Default` sent back into
// the loop), and not again at the states it traps or cuts off.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn ship_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Route;
    Route: Choice { Choices: [{ Variable: "$.ready", BooleanEquals: false, Next: Pause }], Default: Pause };
    Pause: Wait { Seconds: 5 } -> ValidateOrder;
    charge_card -> ship_order -> Done;
    Done: Succeed;
}

fn main() {}
