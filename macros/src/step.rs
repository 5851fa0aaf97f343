//! `#[step]`: checks the function's shape, keeps the function as written, and adds beside it
//! - a type of the same name (type namespace only) implementing `stepfn::Step`, and
//! - a resolver macro of the same name (macro namespace) through which `workflow!` learns the step's state name,
//!   since a proc macro cannot see attributes on other items.

use heck::ToUpperCamelCase;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, LitStr, PathArguments, ReturnType, Type, Visibility};

/// What `#[step(...)]` says.
#[derive(Debug, Default)]
struct StepArgs {
    name: Option<LitStr>,
}

/// The parts of a well-formed step function.
struct StepFn<'a> {
    input: &'a Type,
    takes_context: bool,
    output: &'a Type,
    error: &'a Type,
}

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "#[step] goes on an `async fn name(input: T) -> Result<U, E>`",
            );
            return combine(item, error);
        }
    };
    let args = parse_args(args);
    let shape = check_fn(&function);
    match (args, shape) {
        (Ok(args), Ok(shape)) => generate(&function, &args, &shape),
        (args, shape) => {
            let errors = [args.err(), shape.err()]
                .into_iter()
                .flatten()
                .reduce(|mut a, b| {
                    a.combine(b);
                    a
                });
            // Keep the function, and a resolver that quietly ends any `workflow!` naming it, so one mistake gives
            // one error, not a cascade at every call site and workflow.
            // (Not for a method: an `impl` block cannot hold a macro; that error is the one to fix first.)
            let in_impl = matches!(function.sig.inputs.first(), Some(FnArg::Receiver(_)));
            let resolver = if in_impl {
                TokenStream::new()
            } else {
                resolver(
                    &function,
                    quote! {
                        (@stepfn_resolve $($input:tt)*) => {};
                    },
                )
            };
            combine(
                quote!(#function #resolver),
                errors.expect("one of the two failed"),
            )
        }
    }
}

fn combine(item: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    quote!(#item #error)
}

fn parse_args(args: TokenStream) -> syn::Result<StepArgs> {
    let mut parsed = StepArgs::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("name") {
            let lit: LitStr = meta.value()?.parse()?;
            if let Err(message) = stepfn_asl::check_state_name(&lit.value()) {
                return Err(syn::Error::new(lit.span(), message));
            }
            parsed.name = Some(lit);
            Ok(())
        } else {
            Err(meta.error("unknown #[step] argument: expected `name = \"StateName\"`"))
        }
    });
    syn::parse::Parser::parse2(parser, args)?;
    Ok(parsed)
}

fn check_fn(function: &ItemFn) -> syn::Result<StepFn<'_>> {
    let sig = &function.sig;
    let mut errors: Vec<syn::Error> = Vec::new();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "a step must be an `async fn`: write `async fn` here",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            "a step cannot be generic: its Lambda handler needs one concrete input and output type; remove the \
             generic parameters and name the types",
        ));
    }
    let mut inputs = sig.inputs.iter().peekable();
    let mut input = None;
    let mut takes_context = false;
    if let Some(FnArg::Receiver(receiver)) = inputs.peek() {
        errors.push(syn::Error::new(
            receiver.span(),
            "a step is a free function, not a method: remove `self` and move the function out of the `impl` block",
        ));
        inputs.next();
    }
    match inputs.next() {
        None | Some(FnArg::Receiver(_)) => errors.push(syn::Error::new(
            sig.paren_token.span.join(),
            "a step takes its input as its first parameter: write `(input: YourInput)`",
        )),
        Some(FnArg::Typed(arg)) => input = Some(&*arg.ty),
    }
    if let Some(second) = inputs.next() {
        match second {
            FnArg::Typed(arg) if is_context(&arg.ty) => takes_context = true,
            other => errors.push(syn::Error::new(
                other.span(),
                "the second parameter of a step can only be the invocation context: write `context: stepfn::Context`",
            )),
        }
    }
    for extra in inputs {
        errors.push(syn::Error::new(
            extra.span(),
            "a step takes at most two parameters, `(input: T, context: stepfn::Context)`: remove this one",
        ));
    }
    if let Some(Type::ImplTrait(impl_trait)) = input {
        errors.push(syn::Error::new(
            impl_trait.span(),
            "a step's input needs a concrete type that deserializes from JSON, not `impl Trait`",
        ));
    }
    let result = result_types(&sig.output, sig.paren_token.span.close());
    if let Err(error) = &result {
        errors.push(error.clone());
    }
    if let Some(error) = errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    }) {
        return Err(error);
    }
    let (output, error) = result.expect("checked above");
    Ok(StepFn {
        input: input.expect("checked above"),
        takes_context,
        output,
        error,
    })
}

fn is_context(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Context"))
}

/// `Result<U, E>` → `(U, E)`, or an error saying what to write.
fn result_types(output: &ReturnType, after_params: Span) -> syn::Result<(&Type, &Type)> {
    const EXPECTED: &str =
        "a step returns `Result<Output, Error>`, where `Error` implements `stepfn::StepError`";
    let ty = match output {
        ReturnType::Default => {
            return Err(syn::Error::new(
                after_params,
                format!("{EXPECTED}: add `-> Result<YourOutput, YourError>` after the parameters"),
            ))
        }
        ReturnType::Type(_, ty) => ty,
    };
    let segment = match &**ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    };
    if let Some(segment) = segment.filter(|s| s.ident == "Result") {
        if let PathArguments::AngleBracketed(args) = &segment.arguments {
            let types: Vec<&Type> = args
                .args
                .iter()
                .filter_map(|arg| match arg {
                    GenericArgument::Type(ty) => Some(ty),
                    _ => None,
                })
                .collect();
            if let [ok, err] = types[..] {
                return Ok((ok, err));
            }
        }
        return Err(syn::Error::new(
            ty.span(),
            format!("{EXPECTED}: name both types, as in `Result<YourOutput, YourError>` (a one-argument `Result` alias hides the error type)"),
        ));
    }
    Err(syn::Error::new(
        ty.span(),
        format!("{EXPECTED}: write `Result<{}, YourError>`", quote!(#ty)),
    ))
}

fn generate(function: &ItemFn, args: &StepArgs, shape: &StepFn<'_>) -> TokenStream {
    let ident = &function.sig.ident;
    let vis = &function.vis;
    let fn_name = ident.to_string();
    let fn_name = fn_name.strip_prefix("r#").unwrap_or(&fn_name);
    let resource_key = fn_name.to_upper_camel_case();
    let state_name = args
        .name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| resource_key.clone());
    let StepFn {
        input,
        takes_context,
        output,
        error,
    } = shape;
    let takes_any_json = is_json_value(input);
    let call = if *takes_context {
        quote!(#ident(input, context))
    } else {
        quote!(#ident(input))
    };
    let resolver = resolver(
        function,
        quote! {
            (@stepfn_resolve { $($resolved:tt)* } $pending:tt $($input:tt)*) => {
                ::stepfn::__private::workflow_continue! {
                    { $($resolved)* (#state_name #resource_key #fn_name #takes_any_json) } $pending $($input)*
                }
            };
        },
    );
    let doc = format!("The `{state_name}` step: the type through which `workflow!` and the Lambda entry point use `{fn_name}`.");
    let not_send = quote_spanned! {function.sig.fn_token.span=>
        ::stepfn::__private::std::future::Future<Output = ::stepfn::__private::std::result::Result<#output, #error>>
            + ::stepfn::__private::std::marker::Send
    };
    quote! {
        #function

        #[doc = #doc]
        #[allow(non_camel_case_types)]
        #vis struct #ident {}

        impl ::stepfn::Step for #ident {
            type Input = #input;
            type Output = #output;
            type Error = #error;
            const NAME: &'static str = #state_name;
            const FN_NAME: &'static str = #fn_name;
            const RESOURCE_KEY: &'static str = #resource_key;
            const TAKES_CONTEXT: bool = #takes_context;

            #[allow(unused_variables)]
            fn call(input: Self::Input, context: ::stepfn::Context) -> impl #not_send {
                #call
            }
        }

        #resolver
    }
}

/// Whether a type is written as serde_json's `Value` (`serde_json::Value`, `Value`): a step taking it reads any
/// JSON, so `workflow!` checks no type into it (serde_json's own type cannot declare `stepfn::Accepts`).
fn is_json_value(ty: &Type) -> bool {
    let Type::Path(path) = ty else {
        return false;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    matches!(
        segments
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["Value"] | ["serde_json", "Value"] | ["serde_json", "value", "Value"]
    )
}

/// The resolver macro of a step, named like the function in the macro namespace, with the given rules.
///
/// A `macro_rules!` macro leaves its crate only through `#[macro_export]`, which puts it at the crate root, so a
/// `pub` step's resolver is exported under a name made unique by a hash of the function and its place, and
/// re-exported beside the function by that name in textual scope (a path starting at `crate::` to a macro-expanded
/// export is refused by rustc). A workflow in another crate then names the step by its path, like the function.
fn resolver(function: &ItemFn, rules: TokenStream) -> TokenStream {
    let ident = &function.sig.ident;
    let name = ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    let vis = &function.vis;
    if let Visibility::Public(_) = vis {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&function.to_token_stream().to_string(), &mut hasher);
        std::hash::Hash::hash(&format!("{:?}", ident.span()), &mut hasher);
        let unique = std::hash::Hasher::finish(&hasher);
        let macro_name = format_ident!("__stepfn_resolve_{}_{:016x}", name, unique);
        return quote! {
            #[doc(hidden)]
            #[macro_export]
            macro_rules! #macro_name { #rules }
            #[doc(hidden)]
            #[allow(unused_imports)]
            pub use #macro_name as #ident;
        };
    }
    let macro_name = format_ident!("__stepfn_resolve_{}", name);
    quote! {
        #[doc(hidden)]
        macro_rules! #macro_name { #rules }
        #[doc(hidden)]
        #[allow(unused_imports)]
        #vis use #macro_name as #ident;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_error(item: TokenStream) -> String {
        let function: ItemFn = syn::parse2(item).unwrap();
        check_fn(&function)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn accepts_the_two_valid_forms() {
        assert_eq!(
            shape_error(quote!(
                async fn a(x: In) -> Result<Out, Err> {}
            )),
            ""
        );
        assert_eq!(
            shape_error(quote!(
                async fn a(x: In, c: stepfn::Context) -> Result<Out, Err> {}
            )),
            ""
        );
    }

    #[test]
    fn rejects_each_misuse_with_the_fix() {
        assert!(shape_error(quote!(
            fn a(x: In) -> Result<Out, Err> {}
        ))
        .contains("write `async fn`"));
        assert!(shape_error(quote!(
            async fn a() -> Result<Out, Err> {}
        ))
        .contains("first parameter"));
        assert!(shape_error(quote!(
            async fn a(&self) -> Result<Out, Err> {}
        ))
        .contains("remove `self`"));
        assert!(shape_error(quote!(
            async fn a<T>(x: T) -> Result<Out, Err> {}
        ))
        .contains("cannot be generic"));
        assert!(shape_error(quote!(
            async fn a(x: In) -> Out {}
        ))
        .contains("Result<Out, YourError>"));
        assert!(shape_error(quote!(
            async fn a(x: In) {}
        ))
        .contains("add `-> Result"));
        assert!(shape_error(quote!(
            async fn a(x: In, y: u8) -> Result<Out, E> {}
        ))
        .contains("stepfn::Context"));
    }

    #[test]
    fn name_argument_is_checked() {
        assert!(parse_args(quote!(name = "Ok")).is_ok());
        assert!(parse_args(quote!(nam = "Ok")).is_err());
        let long = "x".repeat(81);
        assert!(parse_args(quote!(name = #long))
            .unwrap_err()
            .to_string()
            .contains("at most 80"));
    }
}
