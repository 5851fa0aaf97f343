//! Procedural macros of stepfn. Use them through the `stepfn` crate, which re-exports them with their docs.
//!
//! Each macro is parse → validate → expand, with every error spanned on the token to change.

mod step;
mod step_error;
mod workflow;

use proc_macro::TokenStream;

/// Turns an `async fn` into a workflow step and a Lambda handler. See `stepfn::step`.
#[proc_macro_attribute]
pub fn step(args: TokenStream, item: TokenStream) -> TokenStream {
    step::expand(args.into(), item.into()).into()
}

/// Declares a Step Functions workflow over steps. See `stepfn::workflow!`.
#[proc_macro]
pub fn workflow(input: TokenStream) -> TokenStream {
    workflow::start(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Second stage of `workflow!`, called back by each step's resolver macro. Not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn workflow_continue(input: TokenStream) -> TokenStream {
    workflow::resume(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `stepfn::StepError`: enum variants (or the struct) name the errors. See `stepfn::StepError`.
#[proc_macro_derive(StepError, attributes(step_error))]
pub fn derive_step_error(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    step_error::expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
