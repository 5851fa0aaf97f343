//! `#[derive(StepError)]`: an enum raises the name of each variant, a struct its own name;
//! `#[step_error(name = "...")]` on a variant or the type chooses another name.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Data, DeriveInput, Fields, LitStr};

pub fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (names, name_fn) =
        match &input.data {
            Data::Enum(data) => {
                let mut names = Vec::new();
                let mut arms = Vec::new();
                for variant in &data.variants {
                    let name = error_name(&variant.attrs, &variant.ident.to_string())?;
                    let variant_ident = &variant.ident;
                    let pattern = match variant.fields {
                        Fields::Named(_) => quote!(Self::#variant_ident { .. }),
                        Fields::Unnamed(_) => quote!(Self::#variant_ident(..)),
                        Fields::Unit => quote!(Self::#variant_ident),
                    };
                    arms.push(quote!(#pattern => #name,));
                    names.push(name);
                }
                let body = if arms.is_empty() {
                    quote!(match *self {})
                } else {
                    quote!(match self { #(#arms)* })
                };
                (names, body)
            }
            Data::Struct(_) => {
                let name = error_name(&input.attrs, &ident.to_string())?;
                (vec![name.clone()], quote!(#name))
            }
            Data::Union(u) => return Err(syn::Error::new(
                u.union_token.span,
                "StepError cannot be derived for a union: use an enum with one variant per error",
            )),
        };
    Ok(quote! {
        impl #impl_generics ::stepfn::StepError for #ident #ty_generics #where_clause {
            const NAMES: &'static [&'static str] = &[#(#names),*];
            fn name(&self) -> &'static str { #name_fn }
        }
    })
}

fn error_name(attrs: &[Attribute], default: &str) -> syn::Result<LitStr> {
    let mut name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("step_error")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value().is_empty() {
                    return Err(syn::Error::new(
                        lit.span(),
                        "an error name must not be empty",
                    ));
                }
                name = Some(lit);
                Ok(())
            } else {
                Err(meta.error("unknown `step_error` argument: expected `name = \"ErrorName\"`"))
            }
        })?;
    }
    Ok(name.unwrap_or_else(|| LitStr::new(default, proc_macro2::Span::call_site())))
}
