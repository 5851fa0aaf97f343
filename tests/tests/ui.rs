//! Compile-time contract of `#[step]` and `workflow!`: every valid form compiles, every rule rejects its mistake with
//! a message at the token to change. One rule per file in `ui/fail`, its `.stderr` reviewed in the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
