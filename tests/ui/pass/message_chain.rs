// Valid: a chain of steps ending in a Succeed state, a step with a context and a custom state name.
use serde::{Deserialize, Serialize};
use stepfn::{Context, StepError, Workflow};

#[derive(Debug, Deserialize, Serialize)]
pub struct Order { id: String, total: u64 }

#[derive(Debug, StepError)]
pub enum OrderError { Invalid, OutOfStock { sku: String } }
impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "order error") }
}

#[stepfn::step]
async fn validate_order(order: Order) -> Result<Order, OrderError> { Ok(order) }

#[stepfn::step(name = "Reserve stock")]
async fn reserve_stock(order: Order, context: Context) -> Result<Order, OrderError> {
    let _ = context.request_id;
    Ok(order)
}

stepfn::workflow! {
    /// Order processing.
    pub ChainForms { Comment: "Orders", TimeoutSeconds: 300 }
    validate_order -> reserve_stock { TimeoutSeconds: 30, HeartbeatSeconds: 10 } -> Done;
    Done: Succeed { Comment: "all good" };
}

fn main() {
    assert!(ChainForms::DEFINITION.contains("\"Reserve stock\""));
    assert_eq!(ChainForms::handlers().len(), 2);
    assert_eq!(<OrderError as StepError>::NAMES, ["Invalid", "OutOfStock"]);
}
