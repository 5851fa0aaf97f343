//! Code generation for `workflow!`: the workflow type, its `stepfn::Workflow` impl with the definition written to
//! the artifact file, and one type probe per step-to-step edge, spanned on the next step so rustc's error lands there.

use super::artifact;
use super::ast::{path_key, Decl, Node, TaskTarget, WorkflowInput};
use super::dataflow::Shape;
use super::lower::{lower, Edge, ExpectedError, StepInfo};
use super::template_feeds::Feed;
use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{LitStr, Path};

pub fn expand(input: &WorkflowInput, steps: &[(&Path, StepInfo)]) -> syn::Result<TokenStream> {
    let name = &input.name;
    if let Err(message) = stepfn_asl::check_workflow_name(&name.to_string()) {
        return Err(syn::Error::new(name.span(), message));
    }
    let step_paths: Vec<&Path> = steps.iter().map(|(path, _)| *path).collect();
    let any_json: Vec<String> = steps
        .iter()
        .filter(|(_, info)| info.takes_any_json)
        .map(|(path, _)| path_key(path))
        .collect();
    let lowered = match lower(input, steps) {
        Ok(lowered) => lowered,
        // Still define the type, so one mistake gives one error and not one more at every use of the workflow.
        Err(errors) => {
            let errors = errors.into_compile_error();
            let item = workflow_item(input, &step_paths, &any_json, quote!(""), None);
            return Ok(quote!(#item #errors));
        }
    };
    let definition = stepfn_asl::to_pretty_json(&lowered.document);
    let template_steps: Vec<stepfn_template::Step> = steps
        .iter()
        .map(|(_, info)| stepfn_template::Step {
            function: info.fn_name.clone(),
            resource_key: info.resource_key.clone(),
        })
        .collect();
    let template = stepfn_template::cloudformation(&name.to_string(), &definition, &template_steps)
        .map_err(|message| {
            syn::Error::new(
                name.span(),
                format!("cannot make the deployment template of `{name}`: {message}"),
            )
        })?;
    let written = artifact::write(name, &definition, &template).map_err(|message| {
        syn::Error::new(
            name.span(),
            format!("cannot write the ASL artifact of `{name}`: {message}"),
        )
    })?;
    let file = LitStr::new(&written.definition.to_string_lossy(), name.span());
    let template_file = LitStr::new(&written.template.to_string_lossy(), name.span());
    // `include_str!` makes rustc track the file: deleting or editing it rebuilds and rewrites it.
    let item = workflow_item(
        input,
        &step_paths,
        &any_json,
        quote!(::stepfn::__private::std::include_str!(#file)),
        lowered.output.as_ref(),
    );
    let probes = lowered.edges.iter().map(edge_probe);
    let feeds_check = feeds_check(name, &lowered.feeds);
    let error_checks = lowered.expected_errors.iter().map(expected_error_check);
    Ok(quote! {
        #item
        // Tracked like the definition: deleting or editing the template rebuilds and rewrites it.
        const _: &str = ::stepfn::__private::std::include_str!(#template_file);
        #(#probes)*
        #feeds_check
        #(#error_checks)*
    })
}

fn workflow_item(
    input: &WorkflowInput,
    steps: &[&Path],
    any_json: &[String],
    definition: TokenStream,
    output: Option<&Shape>,
) -> TokenStream {
    let WorkflowInput {
        attrs,
        vis,
        name,
        chains,
        ..
    } = input;
    let name_text = name.to_string();
    // The first state's step, if it reads the execution's input unchanged: then its input type is the workflow's.
    let (step, fields) = match chains.first().and_then(|chain| chain.nodes.first()) {
        Some(Node::Step { path, fields }) => (Some(path), fields.as_ref()),
        Some(Node::Decl(Decl {
            kind,
            arg: Some(TaskTarget::Step(path)),
            fields,
            ..
        })) if kind == "Task" => (Some(path), fields.as_ref()),
        _ => (None, None),
    };
    let reshaped = fields.is_some_and(|fields| {
        fields
            .entries
            .iter()
            .any(|f| matches!(f.key.as_str(), "InputPath" | "Parameters" | "Arguments"))
    });
    // An impl, not an associated type: its header may name a step less visible than the workflow.
    // Spanned on the step, where rustc shows which input the workflow takes when a test passes another.
    // A first step taking `serde_json::Value` has no typed input: `json!(...)` starts the workflow as it is.
    let input_impl = step
        .filter(|step| !reshaped && !any_json.contains(&path_key(step)))
        .map(|step| {
            quote_spanned! {syn::spanned::Spanned::span(step)=>
                impl ::stepfn::WorkflowInput<<#step as ::stepfn::Step>::Input> for #name {}
            }
        });
    // The output type, where the dataflow analysis knows it; JSON otherwise. Spanned on the workflow's name.
    let output = match output {
        Some(shape) => shape.ty(name.span()),
        None => quote!(::stepfn::__private::serde_json::Value),
    };
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

        #input_impl

        impl ::stepfn::WorkflowOutput<#output> for #name {}

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

/// A probe that compiles only if the step's input type accepts a type that reaches it (see `dataflow`).
///
/// The probe trait is local, so its message can name the step and where the value comes from; each probe sits in
/// its own `const _` block, so the trait's name (which rustc repeats in a `help:` line) reads as a sentence rather
/// than a numbered internal. It has three impls told apart by a marker type: the types are the same; the user
/// declared `Accepts`; and one that never holds. With two impls that could apply, rustc weighs them all and reports
/// the probe trait's own message when none holds, instead of descending into `Accepts` and reporting that without
/// the step names. Every token is spanned on the transition, so no note points anywhere else.
fn edge_probe(edge: &Edge) -> TokenStream {
    let Edge {
        from,
        to,
        to_state,
        span,
    } = edge;
    let span = *span;
    let what = from.describe();
    let message =
        format!("step `{to_state}` cannot take {what}: `{{Self}}` does not accept `{{Prev}}`");
    let label = format!("this brings {what}, of type `{{Prev}}`; `{to_state}` takes `{{Self}}`");
    let note = match from {
        Shape::Results { .. } => {
            "a Map passes on a list of its item processor's outputs: take a list (`Vec`, `VecDeque`, ...) of that \
             output type, or of a type of your crate that declares `impl stepfn::Accepts<ThatOutput> for YourItem {}`"
        }
        Shape::Branches { .. } => {
            "a Parallel passes on a tuple of its branches' outputs, in order: take a tuple of those types, each the \
             same or a type of your crate that declares `impl stepfn::Accepts<ThatOutput> for YourType {}`"
        }
        _ => {
            "make the two types the same, or, if `{Self}` is a type of your crate that deserializes from the JSON \
             of `{Prev}`, write `impl stepfn::Accepts<{Prev}> for {Self} {}`"
        }
    };
    let from_ty = from.ty(span);
    let trait_name = syn::Ident::new("AcceptsAsInput", span);
    let ways = ways_to_accept(from, &trait_name, span);
    quote_spanned! {span=>
        const _: () = {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #trait_name<Prev, Marker> {}
            #ways
            impl<Prev, Next: ::stepfn::Accepts<Prev>> #trait_name<Prev, ::stepfn::__private::Declared> for Next {}
            impl<Prev, Next> #trait_name<Prev, ::stepfn::__private::Never> for Next
            where
                (Prev, Next): ::stepfn::__private::Impossible
            {}
            fn check<Next: #trait_name<Prev, Marker>, Prev, Marker>() {}
            let _: fn() = check::<<#to as ::stepfn::Step>::Input, #from_ty, _>;
        };
    }
}

/// The probe's impls besides `Accepts`: the same type; or, for a Map's results, any list whose items take the
/// processor's output (the same type or by `Accepts`); for a Parallel's results, a tuple whose elements take the
/// branches' outputs. Exactly one applies to any pair of types (the whole `Vec` is never compared as itself), so
/// rustc infers the marker without ambiguity.
fn ways_to_accept(from: &Shape, probe: &syn::Ident, span: proc_macro2::Span) -> TokenStream {
    match from {
        Shape::Results { .. } => quote_spanned! {span=>
            impl<Item, Next, Marker> #probe<::stepfn::__private::std::vec::Vec<Item>, ::stepfn::__private::Each<Marker>> for Next
            where
                Next: ::stepfn::MapItems,
                <Next as ::stepfn::MapItems>::Item: ::stepfn::__private::Takes<Item, Marker>,
            {}
        },
        // Up to 16 branches (the tuples `stepfn::__private::Element` knows); more are compared as a whole.
        Shape::Branches { of, .. } if of.len() <= 16 => {
            let count = of.len();
            let prev: Vec<syn::Ident> = (0..count)
                .map(|i| quote::format_ident!("P{}", i, span = span))
                .collect();
            let marker: Vec<syn::Ident> = (0..count)
                .map(|i| quote::format_ident!("M{}", i, span = span))
                .collect();
            let index: Vec<syn::Index> = (0..count).map(syn::Index::from).collect();
            // Generic over `Next` (its elements read through `Element`), so rustc's notes name no marker types.
            quote_spanned! {span=>
                impl<#(#prev,)* #(#marker,)* Next> #probe<(#(#prev,)*), (#(#marker,)*)> for Next
                where
                    Next: ::stepfn::__private::Arity<#count> #(+ ::stepfn::__private::Element<#index>)*,
                    #(<Next as ::stepfn::__private::Element<#index>>::Type: ::stepfn::__private::Takes<#prev, #marker>,)*
                {}
            }
        }
        _ => quote_spanned! {span=>
            impl<T> #probe<T, ::stepfn::__private::Same> for T {}
        },
    }
}

/// `check_templates` on the workflow type, and a test beside the workflow that runs it: each template feeding a
/// step must write every field the step's input type requires (see `template_feeds`).
fn feeds_check(workflow: &syn::Ident, feeds: &[Feed]) -> TokenStream {
    let test = syn::Ident::new(
        &format!(
            "{}_templates_write_what_their_steps_read",
            workflow.to_string().to_snake_case()
        ),
        workflow.span(),
    );
    let test = (!feeds.is_empty()).then(|| {
        quote! {
            #[cfg(test)]
            #[test]
            fn #test() {
                if let ::stepfn::__private::std::result::Result::Err(report) = #workflow::check_templates() {
                    ::stepfn::__private::std::panic!("{}", report);
                }
            }
        }
    });
    let feeds = feeds.iter().map(|feed| {
        let Feed {
            template,
            step,
            state,
            keys,
        } = feed;
        let keys = keys.to_string();
        quote! {
            ::stepfn::__private::TemplateFeed {
                template: #template,
                step: #state,
                keys: #keys,
                check: ::stepfn::__private::misfit::<<#step as ::stepfn::Step>::Input>,
            }
        }
    });
    quote! {
        impl #workflow {
            /// Whether each template that feeds a step (a Task's `Parameters` or `Arguments`, a Map's
            /// `ItemSelector`) writes every field the step's input type requires; `workflow!` runs it as a test.
            pub fn check_templates() -> ::stepfn::__private::std::result::Result<(), ::stepfn::__private::std::string::String> {
                ::stepfn::__private::check_templates(&[#(#feeds),*])
            }
        }

        #test
    }
}

/// A check that compiles only if the step's error type raises `name`, failing at the name's token.
///
/// The bound is a local trait, implemented for every type but only with `true`, whose argument is the const
/// `raises(NAMES, name)`: with its own `on_unimplemented`, rustc's one error names the step, the name and the error
/// type (`{Self}`), where a failing const would read as E0080. The message cannot list the names the type raises:
/// it is fixed here, and this macro does not see the error type's definition.
fn expected_error_check(expected: &ExpectedError) -> TokenStream {
    let ExpectedError {
        step,
        state,
        name,
        suggestion,
        span,
    } = expected;
    // `{` and `}` in these strings are placeholders of `on_unimplemented`; `{Self}` is the error type.
    let escape = |text: &str| text.replace('{', "{{").replace('}', "}}");
    let (state_text, name_text) = (escape(state), escape(name));
    let (message, label, note) = match suggestion {
        Some(known) => (
            format!("step `{state_text}` cannot raise `{name_text}`: did you mean `{known}`?"),
            format!("did you mean `{known}`?"),
            format!(
                "`{known}` is raised around every step; the step's error type `{{Self}}` has no error named `{name_text}`"
            ),
        ),
        None => (
            format!("step `{state_text}` cannot raise `{name_text}`: its error type `{{Self}}` has no error of that name"),
            "not an error of `{Self}`".to_owned(),
            "name an error of `{Self}` (`#[derive(StepError)]` names them after the enum's variants or the struct, \
             `#[step_error(name = \"...\")]` renames one), a `States.*` error such as `States.TaskFailed`, or one \
             raised around every step, such as `Lambda.ServiceException`, `Lambda.Unknown` or `Stepfn.Panic`"
                .to_owned(),
        ),
    };
    let check = quote_spanned! {*span=>
        <<#step as ::stepfn::Step>::Error as RaisesThisError<{
            ::stepfn::__private::raises(
                <<#step as ::stepfn::Step>::Error as ::stepfn::StepError>::NAMES,
                #name,
            )
        }>>::CHECK
    };
    quote! {
        const _: () = {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait RaisesThisError<const RAISED: bool> {
                const CHECK: () = ();
            }
            impl<E> RaisesThisError<true> for E {}
            #check
        };
    }
}
