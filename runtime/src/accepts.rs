//! The edge check of `workflow!`: the next step's input type must accept the previous step's output type.

/// `Self` (a step's input type) accepts a value of type `T` (the previous step's output).
///
/// `workflow!` lets a step follow another when the types are the same. When a different type reads the same JSON (for example a struct with fewer fields,
/// or `serde_json::Value`), say so with an impl, and `workflow!` lets the edge through:
///
/// ```
/// # #[derive(serde::Serialize)] struct Order { id: String, total: u64 }
/// # #[derive(serde::Deserialize)] struct OrderId { id: String }
/// impl stepfn::Accepts<Order> for OrderId {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not accept `{T}`",
    note = "if `{Self}` deserializes from the JSON of `{T}`, write `impl stepfn::Accepts<{T}> for {Self} {{}}`"
)]
pub trait Accepts<T> {}
