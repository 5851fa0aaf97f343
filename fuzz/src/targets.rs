//! What is fuzzed. A case is a few strings (its *parts*: a path and an input, a definition, an input and a mock
//! file, ...); each target makes cases from the corpus and runs them through the code under test. Running a case
//! must never panic, whatever the strings.

use crate::asl::mutate_states;
use crate::corpus::{mock_config_for, Corpus};
use crate::mutate::{mutate_json, mutate_text};
use crate::rng::Rng;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use stepfn_asl::path::Path;
use stepfn_engine::intrinsics::Entropy;
use stepfn_engine::jsonpath::{self, Select};
use stepfn_engine::{Failure, Machine, MockConfig, Options, Status, TaskCall};
use stepfn_jsonata::{Bindings, Expression};

/// Whether [`stage`] reports: set when replaying a crash, to name the call it happened in.
pub static TRACE: AtomicBool = AtomicBool::new(false);

/// Marks the call a case is about to make; printed (unbuffered, on stderr) only when tracing, so the last line
/// before a crash names the call that crashed.
pub fn stage(name: &str) {
    if TRACE.load(Ordering::Relaxed) {
        eprintln!("{STAGE_PREFIX}{name}");
    }
}

pub const STAGE_PREFIX: &str = "stepfn-fuzz stage: ";

/// State kept between cases (the async runtime the executor runs on).
#[derive(Default)]
pub struct Context {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Context {
    fn runtime(&mut self) -> &tokio::runtime::Runtime {
        self.runtime.get_or_insert_with(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("a current-thread runtime")
        })
    }

    /// Forgets the runtime (after a panic left it in an unknown state).
    pub fn reset(&mut self) {
        self.runtime = None;
    }
}

/// One fuzz target.
pub struct Target {
    pub name: &'static str,
    /// What the case's parts are, for reports.
    pub parts: &'static [&'static str],
    pub about: &'static str,
    /// The seed cases, run once unmutated before the random ones.
    pub seeds: fn(&Corpus) -> Vec<Vec<String>>,
    /// A random case.
    pub generate: fn(&mut Rng, &Corpus) -> Vec<String>,
    /// Runs a case: panics are the findings.
    pub execute: fn(&[String], &mut Context),
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "jsonpath",
        parts: &["path", "input"],
        about: "stepfn_asl::path::Path::parse and the engine's jsonpath::parse, then select/place on an input",
        seeds: jsonpath_seeds,
        generate: jsonpath_generate,
        execute: jsonpath_execute,
    },
    Target {
        name: "intrinsic",
        parts: &["call", "input"],
        about: "stepfn_asl::intrinsic::parse, then the engine's intrinsics::evaluate on an input",
        seeds: intrinsic_seeds,
        generate: intrinsic_generate,
        execute: intrinsic_execute,
    },
    Target {
        name: "timestamp",
        parts: &["text"],
        about: "stepfn_asl::timestamp::{is_valid, parse, format_millis}",
        seeds: timestamp_seeds,
        generate: timestamp_generate,
        execute: timestamp_execute,
    },
    Target {
        name: "jsonata",
        parts: &["expression", "data", "bindings"],
        about: "stepfn_jsonata::Expression::parse and evaluate (1 s time limit, default depth limit)",
        seeds: jsonata_seeds,
        generate: jsonata_generate,
        execute: jsonata_execute,
    },
    Target {
        name: "validator",
        parts: &["definition"],
        about: "stepfn_asl::parse_document, validate_document, lint_document, graph::mermaid, to_pretty_json",
        seeds: validator_seeds,
        generate: validator_generate,
        execute: validator_execute,
    },
    Target {
        name: "machine",
        parts: &["definition", "input", "mocks"],
        about: "Machine::from_json, then run under virtual time with the mocks; the outcome must be well formed",
        seeds: machine_seeds,
        generate: machine_generate,
        execute: machine_execute,
    },
    Target {
        name: "mock",
        parts: &["mock file", "definition", "state machine", "test case"],
        about: "MockConfig::parse, test_case, check_mocked_states, Mock::response/invoke",
        seeds: mock_seeds,
        generate: mock_generate,
        execute: mock_execute,
    },
];

pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

fn pick_input(rng: &mut Rng, corpus: &Corpus) -> String {
    let text = rng.pick(&corpus.inputs).clone();
    if rng.chance(1, 4) {
        mutate_json_text(rng, &text, corpus)
    } else {
        text
    }
}

/// Mutates JSON text as a tree (when it parses), else as text.
fn mutate_json_text(rng: &mut Rng, text: &str, corpus: &Corpus) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(mut value) => {
            mutate_json(rng, &mut value, corpus);
            value.to_string()
        }
        Err(_) => mutate_text(rng, text, corpus),
    }
}

fn parse_json(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

// ---------------------------------------------------------------------------------------------------------------
// JSONPath

/// The filter parser's recursion (issue 9): `[?(` and 200,000 `!`.
fn deep_filter() -> String {
    format!("$.a[?({}@.x)]", "!".repeat(200_000))
}

fn jsonpath_seeds(corpus: &Corpus) -> Vec<Vec<String>> {
    let mut seeds: Vec<Vec<String>> = corpus
        .paths
        .iter()
        .map(|p| {
            vec![
                p.clone(),
                r#"{"a":[1,2,3],"items":[{"qty":2,"x":2},{"qty":0}]}"#.to_owned(),
            ]
        })
        .collect();
    seeds.push(vec![deep_filter(), r#"{"a":[{"x":1}]}"#.to_owned()]);
    seeds
}

fn jsonpath_generate(rng: &mut Rng, corpus: &Corpus) -> Vec<String> {
    let path = rng.pick(&corpus.paths).clone();
    let path = if rng.chance(1, 10) {
        path
    } else {
        mutate_text(rng, &path, corpus)
    };
    vec![path, pick_input(rng, corpus)]
}

fn jsonpath_execute(parts: &[String], _: &mut Context) {
    let input = parse_json(&parts[1]);
    stage("stepfn_asl::path::Path::parse");
    if let Ok(path) = Path::parse(&parts[0]) {
        let _ = path.is_reference();
        let _ = path.is_definite();
        if let Some(input) = &input {
            stage("stepfn_engine::jsonpath::walk_definite");
            let _ = stepfn_engine::jsonpath::walk_definite(&path, input);
        }
        stage("dropping the Path");
    }
    stage("stepfn_engine::jsonpath::parse");
    if let Ok(query) = jsonpath::parse(&parts[0]) {
        if let Some(input) = input {
            stage("Query::select");
            let _ = query.select(&input).into_value();
            let mut document = input;
            stage("Query::place");
            let _ = query.place(&mut document, json!({"placed": true}));
            stage("dropping the document Query::place built");
            drop(document);
        }
        stage("dropping the Query");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Intrinsic functions

const INTRINSIC_INPUT: &str = r#"{"x":1,"name":"n","count":3,"items":[1,2,2,"a",{"b":1}],"wanted":2,"raw":"{\"a\":[1]}","detail":{"a":1},"text":"hello","data":"d","a":{"x":1},"b":{"y":2},"csv":"a,b,,c","big":9223372036854775807,"huge":1e300}"#;

fn intrinsic_seeds(corpus: &Corpus) -> Vec<Vec<String>> {
    corpus
        .intrinsics
        .iter()
        .map(|c| vec![c.clone(), INTRINSIC_INPUT.to_owned()])
        .collect()
}

fn intrinsic_generate(rng: &mut Rng, corpus: &Corpus) -> Vec<String> {
    let call = rng.pick(&corpus.intrinsics).clone();
    let call = if rng.chance(1, 10) {
        call
    } else {
        mutate_text(rng, &call, corpus)
    };
    let input = if rng.chance(1, 2) {
        INTRINSIC_INPUT.to_owned()
    } else {
        pick_input(rng, corpus)
    };
    vec![call, input]
}

fn intrinsic_execute(parts: &[String], _: &mut Context) {
    let text = &parts[0];
    stage("stepfn_asl::intrinsic::looks_like_call");
    let _ = stepfn_asl::intrinsic::looks_like_call(text);
    stage("stepfn_asl::intrinsic::count_placeholders");
    let _ = stepfn_asl::intrinsic::count_placeholders(text);
    stage("stepfn_asl::intrinsic::parse");
    let Ok(expr) = stepfn_asl::intrinsic::parse(text) else {
        return;
    };
    let input = parse_json(&parts[1]).unwrap_or(Value::Null);
    let mut resolve = |path: &Path| -> Result<Value, Failure> {
        let query = jsonpath::query("", path);
        query
            .select(&input)
            .into_value()
            .ok_or_else(|| Failure::runtime("no such node"))
    };
    stage("stepfn_engine::intrinsics::evaluate");
    let _ = stepfn_engine::intrinsics::evaluate(&expr, &mut resolve, &mut Entropy::seeded(7));
    stage("dropping the intrinsic's Expr");
}

// ---------------------------------------------------------------------------------------------------------------
// Timestamps

fn timestamp_seeds(corpus: &Corpus) -> Vec<Vec<String>> {
    corpus.timestamps.iter().map(|t| vec![t.clone()]).collect()
}

fn timestamp_generate(rng: &mut Rng, corpus: &Corpus) -> Vec<String> {
    let text = rng.pick(&corpus.timestamps).clone();
    vec![mutate_text(rng, &text, corpus)]
}

fn timestamp_execute(parts: &[String], _: &mut Context) {
    let text = &parts[0];
    stage("stepfn_asl::timestamp::parse");
    let _ = stepfn_asl::timestamp::is_valid(text);
    if let Some((seconds, nanos)) = stepfn_asl::timestamp::parse(text) {
        stage("stepfn_asl::timestamp::format_millis");
        let _ = stepfn_asl::timestamp::format_millis(seconds, nanos);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// JSONata

fn jsonata_seeds(corpus: &Corpus) -> Vec<Vec<String>> {
    corpus
        .jsonata
        .iter()
        .map(|s| vec![s.expr.clone(), s.data.clone(), s.bindings.clone()])
        .collect()
}

fn jsonata_generate(rng: &mut Rng, corpus: &Corpus) -> Vec<String> {
    let seed = rng.pick(&corpus.jsonata);
    let expr = if rng.chance(1, 2) && !corpus.jsonata.is_empty() && rng.chance(1, 3) {
        // Splice two expressions.
        let other = &rng.pick(&corpus.jsonata).expr;
        let a = seed.expr.len() / 2;
        let a = (0..=a)
            .rev()
            .find(|&i| seed.expr.is_char_boundary(i))
            .unwrap_or(0);
        let b = other.len() / 2;
        let b = (0..=b)
            .rev()
            .find(|&i| other.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}{}", &seed.expr[..a], &other[b..])
    } else {
        mutate_text(rng, &seed.expr, corpus)
    };
    let data = match rng.below(8) {
        0 => String::new(),
        1 => pick_input(rng, corpus),
        2 => mutate_json_text(rng, &seed.data, corpus),
        _ => seed.data.clone(),
    };
    let bindings = if rng.chance(1, 8) {
        mutate_json_text(rng, &seed.bindings, corpus)
    } else {
        seed.bindings.clone()
    };
    vec![expr, data, bindings]
}

fn jsonata_execute(parts: &[String], _: &mut Context) {
    stage("stepfn_jsonata::Expression::parse");
    let Ok(expression) = Expression::parse(&parts[0]) else {
        return;
    };
    let data = parse_json(&parts[1]);
    let mut bindings = Bindings::default();
    if let Some(Value::Object(variables)) = parse_json(&parts[2]) {
        for (name, value) in variables {
            bindings.variable(name, value);
        }
    }
    bindings.time_limit = Some(Duration::from_secs(1));
    stage("stepfn_jsonata::Expression::evaluate");
    let _ = expression.evaluate(data.as_ref(), &bindings);
    stage("dropping the Expression");
}

// ---------------------------------------------------------------------------------------------------------------
// The validator

fn validator_seeds(corpus: &Corpus) -> Vec<Vec<String>> {
    let mut seeds: Vec<Vec<String>> = corpus
        .machines
        .iter()
        .map(|(d, _)| vec![d.clone()])
        .collect();
    seeds.push(vec![format!(
        r#"{{"StartAt":"A","States":{{"A":{{"Type":"Pass","InputPath":"{}","End":true}}}}}}"#,
        deep_filter()
    )]);
    seeds
}

/// A definition (mutated as a tree, with States Language mutations, or as text) and the input recorded with it.
fn mutated_definition(rng: &mut Rng, corpus: &Corpus) -> (String, Option<Value>, String) {
    // This crate's own seeds have the Task, Retry, Map and Parallel states the recorded cases lack.
    let (text, input) = if rng.chance(1, 4) {
        let own = &corpus.machines[corpus.machines.len() - corpus.own_machines..];
        rng.pick(own)
    } else {
        rng.pick(&corpus.machines)
    };
    let input = input.clone();
    match rng.below(10) {
        0..=6 => {
            let mut value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            match rng.below(3) {
                0 => mutate_json(rng, &mut value, corpus),
                1 => {
                    for _ in 0..rng.log_size(3) {
                        mutate_states(rng, &mut value, corpus);
                    }
                }
                _ => {
                    mutate_states(rng, &mut value, corpus);
                    mutate_json(rng, &mut value, corpus);
                }
            }
            let text = if rng.chance(1, 4) {
                serde_json::to_string_pretty(&value).unwrap_or_default()
            } else {
                value.to_string()
            };
            (text, Some(value), input)
        }
        7 | 8 => {
            let value = serde_json::from_str(text).ok();
            (mutate_text(rng, text, corpus), value, input)
        }
        _ => (text.clone(), serde_json::from_str(text).ok(), input),
    }
}

fn validator_generate(rng: &mut Rng, corpus: &Corpus) -> Vec<String> {
    vec![mutated_definition(rng, corpus).0]
}

fn validator_execute(parts: &[String], _: &mut Context) {
    stage("stepfn_asl::parse_document");
    let Ok((document, _duplicates)) = stepfn_asl::parse_document(&parts[0]) else {
        return;
    };
    stage("stepfn_asl::validate_document");
    let _ = stepfn_asl::validate_document(&document);
    stage("stepfn_asl::lint_document");
    let _ = stepfn_asl::lint_document(&document);
    stage("stepfn_asl::graph::mermaid");
    let _ = stepfn_asl::graph::mermaid(&document);
    stage("stepfn_asl::to_pretty_json");
    let _ = stepfn_asl::to_pretty_json(&document);
}

// ---------------------------------------------------------------------------------------------------------------
// The executor

fn machine_seeds(corpus: &Corpus) -> Vec<Vec<String>> {
    let mut rng = Rng::new(0);
    corpus
        .machines
        .iter()
        .map(|(definition, input)| {
            let value = serde_json::from_str(definition).unwrap_or(Value::Null);
            let mocks = mock_config_for(&value, corpus, &mut rng).to_string();
            vec![definition.clone(), input.clone(), mocks]
        })
        .collect()
}

fn machine_generate(rng: &mut Rng, corpus: &Corpus) -> Vec<String> {
    let (definition, value, recorded) = mutated_definition(rng, corpus);
    let input = match rng.below(6) {
        0 => pick_input(rng, corpus),
        1 | 2 => mutate_json_text(rng, &recorded, corpus),
        // The input recorded with the definition is the likeliest to get far.
        _ => recorded,
    };
    let mocks = mock_config_for(&value.unwrap_or(Value::Null), corpus, rng).to_string();
    let mocks = if rng.chance(1, 10) {
        mutate_json_text(rng, &mocks, corpus)
    } else {
        mocks
    };
    vec![definition, input, mocks]
}

fn machine_execute(parts: &[String], context: &mut Context) {
    stage("stepfn_engine::Machine::from_json");
    let Ok(machine) = Machine::from_json(&parts[0]) else {
        return;
    };
    let Some(input) = parse_json(&parts[1]) else {
        return;
    };
    let mut options = Options {
        virtual_time: true,
        history: parts[1].len().is_multiple_of(2),
        seed: Some(7),
        ..Options::default()
    };
    stage("MockConfig::parse and test_case");
    if let Ok(config) = MockConfig::parse(&parts[2]) {
        if let Ok(mocks) = config.test_case(None, None) {
            for (state, mock) in mocks {
                mock.install(&mut options.resources, state);
            }
        }
    }
    stage("stepfn_engine::Machine::run");
    let outcome = context.runtime().block_on(machine.run(input, &options));
    stage("checking the Outcome");
    let well_formed = match outcome.status {
        Status::Succeeded => outcome.output.is_some() && outcome.error.is_none(),
        Status::Failed => outcome.output.is_none(),
        Status::TimedOut => {
            outcome.output.is_none() && outcome.error.as_deref() == Some("States.Timeout")
        }
    };
    assert!(well_formed, "malformed outcome: {:?}", outcome.summary());
    let _ = outcome.summary();
    if options.history {
        let _ = outcome.history_json();
        let _ = outcome.trace();
    }
    stage("dropping the Outcome and Machine");
}

// ---------------------------------------------------------------------------------------------------------------
// The mock file

fn mock_seeds(corpus: &Corpus) -> Vec<Vec<String>> {
    let mut rng = Rng::new(1);
    let mut seeds: Vec<Vec<String>> = crate::corpus::SEED_MOCKS
        .iter()
        .map(|m| {
            vec![
                (*m).to_owned(),
                corpus.machines[0].0.clone(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    for (definition, _) in &corpus.machines {
        let value = serde_json::from_str(definition).unwrap_or(Value::Null);
        let mocks = mock_config_for(&value, corpus, &mut rng).to_string();
        seeds.push(vec![mocks, definition.clone(), "M".into(), "T".into()]);
    }
    seeds
}

fn mock_generate(rng: &mut Rng, corpus: &Corpus) -> Vec<String> {
    let (definition, _) = rng.pick(&corpus.machines);
    let mocks = if rng.chance(1, 4) {
        (*rng.pick(crate::corpus::SEED_MOCKS)).to_owned()
    } else {
        let value = serde_json::from_str(definition).unwrap_or(Value::Null);
        mock_config_for(&value, corpus, rng).to_string()
    };
    let mocks = match rng.below(3) {
        0 => mutate_text(rng, &mocks, corpus),
        _ => mutate_json_text(rng, &mocks, corpus),
    };
    let name = |rng: &mut Rng, usual: &str| match rng.below(4) {
        0 => String::new(),
        1 => mutate_text(rng, usual, corpus),
        _ => usual.to_owned(),
    };
    let machine = name(rng, "M");
    let case = name(rng, "T");
    vec![mocks, definition.clone(), machine, case]
}

fn mock_execute(parts: &[String], _: &mut Context) {
    stage("stepfn_engine::MockConfig::parse");
    let Ok(config) = MockConfig::parse(&parts[0]) else {
        return;
    };
    fn named(s: &str) -> Option<&str> {
        (!s.is_empty()).then_some(s)
    }
    stage("MockConfig::test_case");
    let Ok(mocks) = config.test_case(named(&parts[2]), named(&parts[3])) else {
        return;
    };
    let definition = parse_json(&parts[1]).unwrap_or(Value::Null);
    stage("stepfn_engine::check_mocked_states");
    let _ = stepfn_engine::check_mocked_states(mocks.keys().map(String::as_str), &definition);
    stage("Mock::response and Mock::invoke");
    for (state, mock) in &mocks {
        for attempt in [0, 1, 2, 3, 1000, u32::MAX - 1, u32::MAX] {
            let _ = mock.response(attempt);
            let _ = mock.invoke(&TaskCall {
                state: state.clone(),
                resource: "arn:aws:states:::lambda:invoke".into(),
                input: Value::Null,
                attempt,
                execution_id: "arn:aws:states:us-east-1:123456789012:execution:M:local".into(),
                task_token: "local:state:1".into(),
                heartbeat: Default::default(),
            });
        }
    }
}
