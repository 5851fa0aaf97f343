//! Code generation for `workflow!`: the workflow type, its `stepfn::Workflow` impl with the definition written to
//! the artifact file, and one type probe per step-to-step edge, spanned on the next step so rustc's error lands there.

use super::artifact;
use super::ast::WorkflowInput;
use super::lower::{lower, Edge, ExpectedError, StepInfo};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{LitStr, Path};

pub fn expand(input: &WorkflowInput, steps: &[(&Path, StepInfo)]) -> syn::Result<TokenStream> {
    let name = &input.name;
    if let Err(message) = stepfn_asl::check_workflow_name(&name.to_string()) {
        return Err(syn::Error::new(name.span(), message));
    }
    let step_paths: Vec<&Path> = steps.iter().map(|(path, _)| *path).collect();
    let lowered = match lower(input, steps) {
        Ok(lowered) => lowered,
        // Still define the type, so one mistake gives one error and not one more at every use of the workflow.
        Err(errors) => {
            let errors = errors.into_compile_error();
            let item = workflow_item(input, &step_paths, quote!(""));
            return Ok(quote!(#item #errors));
        }
    };
    let definition = stepfn_asl::to_pretty_json(&lowered.document);
    let file = artifact::write(name, &definition).map_err(|message| {
        syn::Error::new(
            name.span(),
            format!("cannot write the ASL artifact of `{name}`: {message}"),
        )
    })?;
    let file = LitStr::new(&file.to_string_lossy(), name.span());
    // `include_str!` makes rustc track the file: deleting or editing it rebuilds and rewrites it.
    let item = workflow_item(
        input,
        &step_paths,
        quote!(::stepfn::__private::std::include_str!(#file)),
    );
    let probes = lowered
        .edges
        .iter()
        .enumerate()
        .map(|(i, edge)| edge_probe(i, edge, name.span()));
    let error_checks = lowered.expected_errors.iter().map(expected_error_check);
    Ok(quote! {
        #item
        #[doc(hidden)]
        #[allow(non_snake_case, dead_code)]
        const _: () = { #(#probes)* };
        #(#error_checks)*
    })
}

fn workflow_item(input: &WorkflowInput, steps: &[&Path], definition: TokenStream) -> TokenStream {
    let WorkflowInput {
        attrs, vis, name, ..
    } = input;
    let name_text = name.to_string();
    quote! {
        #(#attrs)*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        #vis struct #name;

        impl ::stepfn::Workflow for #name {
            const NAME: &'static str = #name_text;
            const DEFINITION: &'static str = #definition;

            fn handlers() -> ::stepfn::__private::std::vec::Vec<::stepfn::__private::Handler> {
                ::stepfn::__private::std::vec![#(::stepfn::__private::Handler::of::<#steps>()),*]
            }
        }

        impl #name {
            /// The ASL definition, as written to `target/stepfn/<Name>.asl.json`.
            pub const DEFINITION: &'static str = <Self as ::stepfn::Workflow>::DEFINITION;

            /// The ASL definition, as written to `target/stepfn/<Name>.asl.json`.
            pub fn definition() -> &'static str {
                Self::DEFINITION
            }
        }
    }
}

/// A function that compiles only if the next step's input accepts the previous step's output.
///
/// The probe trait is local, so its message can name both steps. It has three impls told apart by a marker type:
/// the types are the same; the user declared `Accepts`; and one that never holds. With two impls that could
/// apply, rustc weighs them all and reports the probe trait's own message when none holds, instead of descending
/// into `Accepts` and reporting that without the step names.
fn edge_probe(index: usize, edge: &Edge, anchor: Span) -> TokenStream {
    let Edge {
        from,
        to,
        from_state,
        to_state,
        span,
    } = edge;
    let trait_name = format_ident!("NextStepTakesThisOutput{}", index);
    let message =
        format!("step `{to_state}` cannot take the output of step `{from_state}`: `{{Next}}` does not accept `{{Self}}`");
    let label = format!("`{from_state}` returns `{{Self}}`, but `{to_state}` takes `{{Next}}`");
    let note =
        "make the two types the same, or, if `{Next}` deserializes from the JSON of `{Self}`, \
                write `impl stepfn::Accepts<{Self}> for {Next} {}`";
    let check = quote_spanned! {*span=>
        __check::<<#from as ::stepfn::Step>::Output, <#to as ::stepfn::Step>::Input, _>()
    };
    quote_spanned! {anchor=>
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        trait #trait_name<Next, Marker> {}
        impl<T> #trait_name<T, ::stepfn::__private::Same> for T {}
        impl<Prev, Next: ::stepfn::Accepts<Prev>> #trait_name<Next, ::stepfn::__private::Declared> for Prev {}
        impl<Prev, Next> #trait_name<Next, ::stepfn::__private::Never> for Prev
        where
            (Prev, Next): ::stepfn::__private::Impossible
        {}
        fn #trait_name() {
            fn __check<Prev: #trait_name<Next, Marker>, Next, Marker>() {}
            #check;
        }
    }
}

/// A constant that fails to evaluate, at the error name, when the step's error type cannot raise that name; the
/// message lists the names it does raise (`StepError::RAISES_HELP`, written by `#[derive(StepError)]`).
fn expected_error_check(expected: &ExpectedError) -> TokenStream {
    let ExpectedError {
        step, name, span, ..
    } = expected;
    quote_spanned! {*span=>
        const _: () = {
            type Error = <#step as ::stepfn::Step>::Error;
            if !::stepfn::__private::raises(<Error as ::stepfn::StepError>::NAMES, #name) {
                ::stepfn::__private::std::panic!("{}", <Error as ::stepfn::StepError>::RAISES_HELP);
            }
        };
    }
}
