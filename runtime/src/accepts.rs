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

/// A list a Map can iterate, and the type of its items: a Map with no `ItemsPath` (and no `ItemSelector`) hands
/// each item of its input to its item processor, so `workflow!` checks the processor's first step against `Item`.
/// Implemented for the standard collections, arrays and `serde_json::Value`; implement it for a collection type of
/// your own that serializes as a JSON array.
#[diagnostic::on_unimplemented(
    message = "a Map iterates `{Self}`, which is not a list",
    label = "the state before the Map passes on `{Self}`",
    note = "a Map with no `ItemsPath` iterates its whole input: pass it a `Vec`, or point `ItemsPath` at the array"
)]
pub trait MapItems {
    type Item;
}
impl<T> MapItems for Vec<T> {
    type Item = T;
}
impl<T> MapItems for std::collections::VecDeque<T> {
    type Item = T;
}
impl<T> MapItems for std::collections::LinkedList<T> {
    type Item = T;
}
impl<T> MapItems for std::collections::BTreeSet<T> {
    type Item = T;
}
impl<T, S> MapItems for std::collections::HashSet<T, S> {
    type Item = T;
}
impl<T> MapItems for Box<[T]> {
    type Item = T;
}
impl<T, const N: usize> MapItems for [T; N] {
    type Item = T;
}
impl MapItems for serde_json::Value {
    type Item = serde_json::Value;
}
