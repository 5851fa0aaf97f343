//! An order workflow that uses every state type: validate the order (Task, with Retry and Catch), route it by
//! amount (Choice), hold large orders for review (Wait), reserve stock and charge the card at once (Parallel, each
//! branch with its own Retry), pack each line item (Map), ship it, record it in DynamoDB (a service integration),
//! summarise the result (Pass), and end in Succeed, or in Fail when stock runs out or the order is rejected.

use serde::{Deserialize, Serialize};
use stepfn::{step, workflow, StepError};

/// An order as it enters the workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub customer: String,
    /// Total in cents.
    pub total: u64,
    pub lines: Vec<LineItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub express: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    pub sku: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reservation {
    pub reservation_id: String,
    pub skus: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub payment_id: String,
    pub amount: u64,
}

/// One line to pack, as the Map's `ItemSelector` builds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackRequest {
    pub order_id: String,
    pub sku: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parcel {
    pub sku: String,
    pub parcels: u32,
}

/// What `ship_order` reads: the order with what the Parallel and the Map added to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Packed {
    pub id: String,
    pub customer: String,
    pub packed: Vec<Parcel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    pub id: String,
    pub tracking_number: String,
    pub parcels: u32,
}

#[derive(Debug, thiserror::Error, StepError)]
pub enum OrderError {
    #[error("the order is invalid: {0}")]
    InvalidOrder(String),
}

#[derive(Debug, thiserror::Error, StepError)]
pub enum StockError {
    #[error("{sku} is out of stock")]
    OutOfStock { sku: String },
    #[error("the warehouse did not answer")]
    WarehouseUnavailable,
}

#[derive(Debug, thiserror::Error, StepError)]
pub enum PaymentError {
    #[error("the card was declined")]
    CardDeclined,
    #[error("the payment gateway timed out")]
    PaymentGatewayTimeout,
}

#[derive(Debug, thiserror::Error, StepError)]
pub enum ShippingError {
    #[error("nothing to ship")]
    NothingToShip,
}

/// Rejects orders without lines, with a zero quantity, or whose total is 0.
#[step]
pub async fn validate_order(order: Order) -> Result<Order, OrderError> {
    if order.lines.is_empty() {
        return Err(OrderError::InvalidOrder(
            "an order needs at least one line".into(),
        ));
    }
    if let Some(line) = order.lines.iter().find(|l| l.quantity == 0) {
        return Err(OrderError::InvalidOrder(format!(
            "line {} has quantity 0",
            line.sku
        )));
    }
    if order.total == 0 {
        return Err(OrderError::InvalidOrder(
            "the total must be greater than 0".into(),
        ));
    }
    Ok(order)
}

/// Reserves every line; SKUs starting with `gone-` are out of stock.
#[step]
pub async fn reserve_stock(order: Order) -> Result<Reservation, StockError> {
    if let Some(line) = order.lines.iter().find(|l| l.sku.starts_with("gone-")) {
        return Err(StockError::OutOfStock {
            sku: line.sku.clone(),
        });
    }
    Ok(Reservation {
        reservation_id: format!("res-{}", order.id),
        skus: order.lines.iter().map(|l| l.sku.clone()).collect(),
    })
}

/// Charges the order's total; customers named `declined` have their card declined.
#[step]
pub async fn charge_card(order: Order) -> Result<Payment, PaymentError> {
    if order.customer == "declined" {
        return Err(PaymentError::CardDeclined);
    }
    Ok(Payment {
        payment_id: format!("pay-{}", order.id),
        amount: order.total,
    })
}

/// Packs one line: up to 10 units a parcel.
#[step]
pub async fn pack_item(line: PackRequest) -> Result<Parcel, std::convert::Infallible> {
    Ok(Parcel {
        sku: line.sku,
        parcels: line.quantity.div_ceil(10),
    })
}

/// Books the shipment of the packed parcels.
#[step]
pub async fn ship_order(order: Packed) -> Result<Shipment, ShippingError> {
    let parcels: u32 = order.packed.iter().map(|p| p.parcels).sum();
    if parcels == 0 {
        return Err(ShippingError::NothingToShip);
    }
    Ok(Shipment {
        id: order.id.clone(),
        tracking_number: format!("TRK-{}", order.id.to_uppercase()),
        parcels,
    })
}

workflow! {
    /// The order pipeline: every ASL state type over the steps above.
    pub OrderPipeline {
        Comment: "Validate an order, route it by amount, reserve stock and charge the card, pack each line, ship it",
        TimeoutSeconds: 86400,
    }

    validate_order {
        Retry: [{ ErrorEquals: ["States.Timeout"], IntervalSeconds: 1, MaxAttempts: 2 }],
        Catch: [{ ErrorEquals: ["InvalidOrder"], ResultPath: "$.error", Next: Rejected }],
    } -> CheckAmount;

    CheckAmount: Choice {
        Choices: [
            { Variable: "$.total", NumericGreaterThan: 100000, Next: HoldForReview },
            {
                And: [
                    { Variable: "$.express", IsPresent: true },
                    { Variable: "$.express", BooleanEquals: true },
                ],
                Next: Fulfil,
            },
        ],
        Default: Fulfil,
    };

    HoldForReview: Wait { Seconds: 3600 } -> Fulfil;

    Fulfil: Parallel {
        Branches: [
            {
                reserve_stock {
                    Retry: [{ ErrorEquals: ["WarehouseUnavailable"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2.0, JitterStrategy: "FULL" }],
                } -> end;
            },
            {
                charge_card {
                    Retry: [{ ErrorEquals: ["PaymentGatewayTimeout"], IntervalSeconds: 1, MaxAttempts: 2, MaxDelaySeconds: 10 }],
                    TimeoutSeconds: 30,
                } -> end;
            },
        ],
        ResultSelector: { "reservation.$": "$[0]", "payment.$": "$[1]" },
        ResultPath: "$.fulfilment",
        Catch: [
            { ErrorEquals: ["OutOfStock"], ResultPath: "$.error", Next: OutOfStock },
            { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: Rejected },
        ],
    } -> PackLines;

    PackLines: Map {
        ItemsPath: "$.lines",
        ItemSelector: {
            "orderId.$": "$.id",
            "sku.$": "$$.Map.Item.Value.sku",
            "quantity.$": "$$.Map.Item.Value.quantity",
        },
        MaxConcurrency: 10,
        ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            pack_item -> end;
        },
        ResultPath: "$.packed",
    } -> ship_order { ResultPath: "$.shipment" } -> RecordShipment;

    RecordShipment: Task("arn:aws:states:::dynamodb:putItem") {
        Parameters: {
            TableName: "orders",
            Item: {
                "id": { "S.$": "$.id" },
                "tracking": { "S.$": "$.shipment.tracking_number" },
                "summary": { "S.$": "States.Format('{} parcels for {}', $.shipment.parcels, $.customer)" },
            },
        },
        ResultPath: null,
    } -> Summarise;

    Summarise: Pass {
        Parameters: {
            "orderId.$": "$.id",
            "trackingNumber.$": "$.shipment.tracking_number",
            "parcels.$": "$.shipment.parcels",
        },
    } -> Done;

    Done: Succeed;
    OutOfStock: Fail { Error: "OutOfStock", Cause: "an item of the order is out of stock" };
    Rejected: Fail { Error: "OrderRejected", CausePath: "$.error.Cause" };
}

workflow! {
    /// The same order pipeline in JSONata (the query language AWS recommends for new workflows): `Arguments`,
    /// `Output`, `Condition` and `Items` as `{% ... %}` expressions over `$states`, and variables (`Assign`) carrying
    /// the order id, customer and tracking number to the summary instead of threading them through every output.
    pub OrderPipelineJsonata {
        Comment: "The order pipeline, in JSONata with variables",
        QueryLanguage: "JSONata",
        TimeoutSeconds: 86400,
    }

    validate_order {
        Assign: { orderId: "{% $states.result.id %}", customer: "{% $states.result.customer %}" },
        Catch: [{ ErrorEquals: ["InvalidOrder"], Output: "{% $states.errorOutput %}", Next: Rejected }],
    } -> CheckAmount;

    CheckAmount: Choice {
        Choices: [{ Condition: "{% $states.input.total > 100000 %}", Next: HoldForReview }],
        Default: Fulfil,
    };

    HoldForReview: Wait { Seconds: 3600 } -> Fulfil;

    Fulfil: Parallel {
        Branches: [
            { reserve_stock -> end; },
            { charge_card -> end; },
        ],
        Assign: { paymentId: "{% $states.result[1].payment_id %}" },
        Output: "{% $states.input %}",
        Catch: [
            { ErrorEquals: ["OutOfStock"], Output: "{% $states.errorOutput %}", Next: OutOfStock },
            { ErrorEquals: ["States.ALL"], Output: "{% $states.errorOutput %}", Next: Rejected },
        ],
    } -> PackLines;

    PackLines: Map {
        Items: "{% $states.input.lines %}",
        ItemSelector: {
            orderId: "{% $orderId %}",
            sku: "{% $states.context.Map.Item.Value.sku %}",
            quantity: "{% $states.context.Map.Item.Value.quantity %}",
        },
        MaxConcurrency: 10,
        ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            pack_item -> end;
        },
        Output: "{% $merge([$states.input, {'packed': $states.result}]) %}",
    } -> ship_order {
        Assign: { tracking: "{% $states.result.tracking_number %}", parcels: "{% $states.result.parcels %}" },
    } -> Summarise;

    Summarise: Pass {
        Output: {
            orderId: "{% $orderId %}",
            customer: "{% $customer %}",
            paymentId: "{% $paymentId %}",
            trackingNumber: "{% $tracking %}",
            parcels: "{% $parcels %}",
        },
    } -> Done;

    Done: Succeed;
    OutOfStock: Fail { Error: "OutOfStock", Cause: "an item of the order is out of stock" };
    Rejected: Fail { Error: "OrderRejected", Cause: "{% $states.input.Cause %}" };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(sku: &str, quantity: u32) -> Order {
        Order {
            id: "o-1".into(),
            customer: "ada".into(),
            total: 4200,
            lines: vec![LineItem {
                sku: sku.into(),
                quantity,
            }],
            express: None,
        }
    }

    #[tokio::test]
    async fn steps_do_their_part() {
        assert!(validate_order(order("a", 1)).await.is_ok());
        assert!(matches!(
            validate_order(order("a", 0)).await,
            Err(OrderError::InvalidOrder(_))
        ));
        assert!(matches!(
            reserve_stock(order("gone-1", 1)).await,
            Err(StockError::OutOfStock { .. })
        ));
        let parcel = pack_item(PackRequest {
            order_id: "o-1".into(),
            sku: "a".into(),
            quantity: 25,
        })
        .await
        .unwrap();
        assert_eq!(parcel.parcels, 3);
    }
}
