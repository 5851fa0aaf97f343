//! Public API behaviour the host relies on: limits turn runaway expressions into errors (never a crash), host
//! functions override built-ins, key order is preserved, integral numbers come back as integers.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use stepfn_jsonata::{Bindings, Expression};

fn eval(
    expr: &str,
    input: serde_json::Value,
) -> Result<Option<serde_json::Value>, stepfn_jsonata::Error> {
    Expression::parse(expr)?.evaluate(Some(&input), &Bindings::default())
}

/// Runs `f` on a thread with a small stack, as a host's worker thread might have.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic")
}

#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    let r = on_small_stack(|| {
        eval(
            "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(100000))",
            json!(null),
        )
    });
    assert_eq!(r.expect_err("depth").code, "U1001");
}

#[test]
fn recursion_within_the_depth_limit_works_on_a_small_stack() {
    let r = on_small_stack(|| {
        eval(
            "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(150))",
            json!(null),
        )
    });
    assert_eq!(r.expect("ok"), Some(json!(150)));
}

#[test]
fn tail_recursion_does_not_consume_depth() {
    let r = eval(
        "($f := function($n, $acc){$n = 0 ? $acc : $f($n - 1, $acc + 1)}; $f(20000, 0))",
        json!(null),
    );
    assert_eq!(r.expect("ok"), Some(json!(20000)));
}

#[test]
fn time_limit_stops_infinite_loops() {
    let mut b = Bindings::default();
    b.time_limit = Some(Duration::from_millis(100));
    let e = Expression::parse("($f := function($n){$f($n + 1)}; $f(0))").expect("parse");
    assert_eq!(e.evaluate(None, &b).expect_err("timeout").code, "U1001");
}

#[test]
fn deeply_nested_text_is_rejected_not_a_crash() {
    for open in ["(", "[", "{\"a\":", "-", "$f("] {
        let text = open.repeat(100_000);
        let r = on_small_stack(move || Expression::parse(&text).map(|_| ()));
        assert!(r.is_err());
    }
}

#[test]
fn host_functions_override_builtins() {
    let mut b = Bindings::default();
    b.function("random", None, Arc::new(|_args| Ok(json!(0.25))));
    b.function(
        "hash",
        Some("<s:s>"),
        Arc::new(|args| Ok(json!(format!("h({})", args[0].as_str().unwrap_or(""))))),
    );
    b.variable("x", json!("abc"));
    let e = Expression::parse("[$random(), $hash($x)]").expect("parse");
    assert_eq!(
        e.evaluate(None, &b).expect("ok"),
        Some(json!([0.25, "h(abc)"]))
    );
    let e = Expression::parse("$hash(1)").expect("parse");
    assert_eq!(e.evaluate(None, &b).expect_err("signature").code, "T0410");
}

#[test]
fn now_is_stable_within_one_evaluation() {
    let r = eval("$millis() = $millis()", json!(null)).expect("ok");
    assert_eq!(r, Some(json!(true)));
}

#[test]
fn object_key_order_and_integers() {
    let r = eval(
        "{'b': 1.5 + 0.5, 'a': items[price > 10].name}",
        json!({"items": [{"name": "x", "price": 20}]}),
    )
    .expect("ok");
    assert_eq!(
        serde_json::to_string(&r.expect("defined")).expect("json"),
        r#"{"b":2,"a":"x"}"#
    );
}

#[test]
fn undefined_and_errors() {
    assert_eq!(eval("nothing", json!({})).expect("ok"), None);
    let err = eval("1 + 'a'", json!({})).expect_err("type");
    assert_eq!(err.code, "T2002");
    assert!(err.position.is_some());
    assert!(err.to_string().contains("T2002"));
}

#[test]
fn expressions_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Expression>();
    assert_send_sync::<Bindings>();
    assert_send_sync::<stepfn_jsonata::Error>();
}

#[test]
fn eval_sees_host_variables() {
    let mut b = Bindings::default();
    b.variable("x", json!(41));
    let e = Expression::parse("$eval('$x + 1')").expect("parse");
    assert_eq!(e.evaluate(None, &b).expect("ok"), Some(json!(42)));
}

#[test]
fn huge_allocations_are_refused() {
    assert_eq!(
        eval("$pad('x', 1e12)", json!(null)).expect_err("pad").code,
        "U1002"
    );
    assert_eq!(
        eval("[1..1e9]", json!(null)).expect_err("range").code,
        "D2014"
    );
}

#[test]
fn invalid_host_signature_is_reported() {
    let mut b = Bindings::default();
    b.function("$bad", Some("<q>"), Arc::new(|_args| Ok(json!(1))));
    let e = Expression::parse("1").expect("parse");
    assert_eq!(e.evaluate(None, &b).expect_err("signature").code, "S0401");
}

#[test]
fn doubling_a_value_on_each_call_is_an_error_not_an_out_of_memory_abort() {
    // Found by stepfn-fuzz: 40 doublings reach 2^40 items within the depth and time limits.
    let bindings = Bindings::default();
    for text in [
        "($f := function($s, $x){ $x > 0 ? $f([$s, $s], $x - 1) : $s }; $count($f('a', 40)))",
        "($f := function($s, $x){ $x > 0 ? $f($append($s, $s), $x - 1) : $s }; $count($f(['a'], 40)))",
        "($f := function($s, $x){ $x > 0 ? $f($s & $s, $x - 1) : $s }; $length($f('a', 40)))",
    ] {
        let error = Expression::parse(text)
            .unwrap()
            .evaluate(None, &bindings)
            .unwrap_err();
        assert_eq!(error.code, "U1002", "{text}: {error:?}");
    }
}

#[test]
fn a_range_between_huge_equal_numbers_ends() {
    // Found by stepfn-fuzz: adding 1.0 to 18446744073709551615 gives the same number, so the range never ended.
    let expr = Expression::parse("$..$").unwrap();
    let result = expr
        .evaluate(Some(&json!(18446744073709551615_u64)), &Bindings::default())
        .unwrap();
    assert_eq!(result, Some(json!([18446744073709551615_u64 as f64])));
    let expr = Expression::parse("[9007199254740992..9007199254740996]").unwrap();
    let items = expr.evaluate(None, &Bindings::default()).unwrap().unwrap();
    assert_eq!(items.as_array().unwrap().len(), 5);
}
