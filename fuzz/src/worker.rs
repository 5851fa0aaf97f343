//! The worker process: runs one target's cases, catching each panic with `catch_unwind` and a quiet panic hook that
//! records its message and location (panics on other threads too, such as the JSONata evaluator's big-stack thread,
//! whose panics the evaluator turns into errors). Before each case it writes the case to a file, so a crash the
//! process cannot survive (a stack overflow aborts; so does running out of memory) leaves the repro behind for the
//! supervisor; a watchdog thread reports a case that runs past its time budget and ends the process.
//!
//! Progress and findings go to stdout as one JSON object per line.

use crate::corpus::Corpus;
use crate::rng::Rng;
use crate::targets::{Context, Target};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The stack of the thread that runs the cases: the size of a main thread's (the CLI runs on its main thread), so
/// a stack overflow here is one there.
pub const CASE_STACK: usize = 8 << 20;

/// A panic seen by the hook.
#[derive(Debug, Clone)]
pub struct Caught {
    pub location: String,
    pub message: String,
}

/// Whether a panic location is inside the standard library or a dependency (an overflow in `Duration`'s `+`, say)
/// rather than in stepfn's own code.
fn generic(location: &str) -> bool {
    location.starts_with("/rustc/")
        || location.contains("/.cargo/")
        || location.contains("/library/")
        || location == "unknown"
}

impl Caught {
    /// What findings are deduplicated by: the location, and for a generic location the message's shape too.
    pub fn key(&self) -> String {
        if generic(&self.location) {
            format!("{} ({})", self.location, shape(&self.message))
        } else {
            self.location.clone()
        }
    }
}

/// For a panic at a generic location, the first frame of stepfn's own code that led to it (`engine/src/errors.rs:49`),
/// when the binary has line tables (debug builds; release builds are stripped).
fn caller() -> Option<String> {
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    trace.lines().find_map(|line| {
        let at = line.trim().strip_prefix("at ")?;
        [
            "asl/src/",
            "engine/src/",
            "jsonata/src/",
            "runtime/src/",
            "macros/src/",
            "cli/src/",
        ]
        .iter()
        .find_map(|dir| at.find(dir).map(|i| at[i..].to_owned()))
    })
}

/// The message with numbers blanked, shortened: `byte index N is out of bounds of ...`.
fn shape(message: &str) -> String {
    let mut out = String::new();
    let mut in_digits = false;
    for c in message.chars().take(80) {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
}

static CAUGHT: Mutex<Vec<Caught>> = Mutex::new(Vec::new());

fn caught() -> std::sync::MutexGuard<'static, Vec<Caught>> {
    CAUGHT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Replaces the panic hook with one that prints nothing and records every panic, on any thread.
pub fn install_quiet_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map_or_else(
            || "unknown".to_owned(),
            |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
        );
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(a panic without a message)".to_owned());
        let location = match generic(&location).then(caller).flatten() {
            Some(caller) => format!("{location}, called from {caller}"),
            None => location,
        };
        caught().push(Caught { location, message });
    }));
}

/// Runs one case; the first panic it caused, if any.
pub fn run_case(target: &Target, parts: &[String], context: &mut Context) -> Option<Caught> {
    caught().clear();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (target.execute)(parts, context)
    }));
    let first = std::mem::take(&mut *caught()).into_iter().next();
    if result.is_err() {
        context.reset();
    }
    first.or_else(|| {
        result.err().map(|_| Caught {
            location: "unknown".into(),
            message: "a panic the hook did not see".into(),
        })
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The case file and the watchdog.

/// The case being run, as the file holds it.
#[derive(Debug, Clone)]
pub struct RecordedCase {
    pub target: String,
    pub parts: Vec<String>,
    /// Its index among the target's seeds, when it is one run unmutated.
    pub seed_index: Option<usize>,
}

/// Writes the current case over the start of one file: a 20-digit length line, then the case as JSON (whatever
/// follows is left over from a longer case).
pub struct Recorder {
    file: File,
    buffer: Vec<u8>,
}

impl Recorder {
    pub fn create(path: &Path) -> std::io::Result<Recorder> {
        Ok(Recorder {
            file: File::create(path)?,
            buffer: Vec::new(),
        })
    }

    pub fn write(&mut self, target: &str, parts: &[String], seed_index: Option<usize>) {
        let body =
            json!({ "target": target, "parts": parts, "seed_index": seed_index }).to_string();
        self.buffer.clear();
        let _ = write!(self.buffer, "{:020}\n{body}", body.len());
        write_at_start(&self.file, &self.buffer);
    }
}

#[cfg(unix)]
fn write_at_start(file: &File, bytes: &[u8]) {
    use std::os::unix::fs::FileExt;
    let _ = file.write_all_at(bytes, 0);
}

#[cfg(not(unix))]
fn write_at_start(mut file: &File, bytes: &[u8]) {
    use std::io::{Seek, SeekFrom};
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.write_all(bytes);
}

/// Reads the case a worker was running.
pub fn read_case_file(path: &Path) -> Option<RecordedCase> {
    let bytes = std::fs::read(path).ok()?;
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let len: usize = std::str::from_utf8(&bytes[..newline])
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let body = bytes.get(newline + 1..newline + 1 + len)?;
    let value: Value = serde_json::from_slice(body).ok()?;
    Some(RecordedCase {
        target: value["target"].as_str()?.to_owned(),
        parts: value["parts"]
            .as_array()?
            .iter()
            .map(|p| p.as_str().unwrap_or_default().to_owned())
            .collect(),
        seed_index: value["seed_index"].as_u64().map(|i| i as usize),
    })
}

static EPOCH: OnceLock<Instant> = OnceLock::new();
/// When the running case started (milliseconds since `EPOCH`, plus one), or 0 between cases.
static STARTED: AtomicU64 = AtomicU64::new(0);

fn now_millis() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

fn begin_case() {
    STARTED.store(now_millis(), Ordering::SeqCst);
}

fn end_case() {
    STARTED.store(0, Ordering::SeqCst);
}

/// One line of JSON on stdout.
pub fn emit(line: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn start_watchdog(case_file: PathBuf, budget: Duration) {
    now_millis();
    std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_millis(50));
            let started = STARTED.load(Ordering::SeqCst);
            if started != 0 && now_millis().saturating_sub(started) > budget.as_millis() as u64 {
                let case = read_case_file(&case_file);
                emit(&json!({
                    "kind": "hang",
                    "target": case.as_ref().map(|c| c.target.clone()),
                    "key": "hang",
                    "location": "(none: the case did not finish)",
                    "message": format!("a case ran longer than {} s", budget.as_secs_f64()),
                    "parts": case.as_ref().map(|c| c.parts.clone()),
                    "seed_index": case.and_then(|c| c.seed_index),
                }));
                std::process::exit(3);
            }
        })
        .expect("the watchdog thread starts");
}

/// Limits the process's address space, so a runaway allocation fails (and is reported as a crash with its case)
/// instead of taking the machine's memory.
#[cfg(unix)]
pub fn limit_memory(megabytes: u64) {
    let bytes = megabytes.saturating_mul(1 << 20) as libc::rlim_t;
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: setrlimit reads the struct we pass and has no other effect on memory.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &limit);
    }
}

#[cfg(not(unix))]
pub fn limit_memory(_megabytes: u64) {}

// ---------------------------------------------------------------------------------------------------------------
// Minimizing.

fn reproduces(
    target: &Target,
    parts: &[String],
    key: &str,
    context: &mut Context,
    recorder: &mut Recorder,
) -> bool {
    recorder.write(target.name, parts, None);
    begin_case();
    let caught = run_case(target, parts, context);
    end_case();
    caught.is_some_and(|c| c.key() == key)
}

fn removable_count(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len() + items.iter().map(removable_count).sum::<usize>(),
        Value::Object(map) => map.len() + map.values().map(removable_count).sum::<usize>(),
        _ => 0,
    }
}

/// Removes the `k`-th removable member (pre-order: a container's members, then inside each of them).
fn remove_nth(value: &mut Value, k: &mut usize) -> bool {
    match value {
        Value::Array(items) => {
            if *k < items.len() {
                items.remove(*k);
                return true;
            }
            *k -= items.len();
            items.iter_mut().any(|v| remove_nth(v, k))
        }
        Value::Object(map) => {
            if *k < map.len() {
                let key = map.keys().nth(*k).cloned().unwrap_or_default();
                map.shift_remove(&key);
                return true;
            }
            *k -= map.len();
            map.values_mut().any(|v| remove_nth(v, k))
        }
        _ => false,
    }
}

/// A smaller case that panics at the same place: JSON members removed, then characters (halving chunks).
pub fn minimize(
    target: &Target,
    parts: &[String],
    key: &str,
    context: &mut Context,
    recorder: &mut Recorder,
    budget: Duration,
) -> Vec<String> {
    let deadline = Instant::now() + budget;
    let mut best = parts.to_vec();
    for i in 0..best.len() {
        if let Ok(mut value) = serde_json::from_str::<Value>(&best[i]) {
            let mut trial = best.clone();
            trial[i] = value.to_string();
            if trial[i] != best[i] && reproduces(target, &trial, key, context, recorder) {
                best = trial;
            }
            let mut k = 0;
            while k < removable_count(&value) && Instant::now() < deadline {
                let mut candidate = value.clone();
                remove_nth(&mut candidate, &mut k.clone());
                let mut trial = best.clone();
                trial[i] = candidate.to_string();
                if reproduces(target, &trial, key, context, recorder) {
                    value = candidate;
                    best = trial;
                } else {
                    k += 1;
                }
            }
        }
        let mut chars: Vec<char> = best[i].chars().collect();
        let mut chunk = (chars.len() / 2).max(1);
        while !chars.is_empty() && Instant::now() < deadline {
            let mut at = 0;
            let mut removed = false;
            while at < chars.len() && Instant::now() < deadline {
                let end = (at + chunk).min(chars.len());
                let candidate: String = chars[..at].iter().chain(&chars[end..]).collect();
                let mut trial = best.clone();
                trial[i] = candidate;
                if reproduces(target, &trial, key, context, recorder) {
                    chars.drain(at..end);
                    best = trial;
                    removed = true;
                } else {
                    at += chunk;
                }
            }
            if !removed {
                if chunk == 1 {
                    break;
                }
                chunk /= 2;
            }
        }
    }
    best
}

// ---------------------------------------------------------------------------------------------------------------
// The loop.

pub struct WorkerArgs {
    pub seed: u64,
    pub seconds: f64,
    /// Stop after this many cases (seed cases included), if sooner.
    pub cases: u64,
    /// The first seed case to run (`usize::MAX`: none, only random cases).
    pub first_seed: usize,
    pub case_file: PathBuf,
    pub case_timeout: Duration,
    pub minimize: Duration,
}

fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
    })
}

/// Runs `target` for `args.seconds`, printing findings, progress and the totals.
pub fn work(target: &'static Target, corpus: &'static Corpus, args: WorkerArgs) {
    install_quiet_hook();
    start_watchdog(args.case_file.clone(), args.case_timeout);
    let handle = std::thread::Builder::new()
        .name("case".into())
        .stack_size(CASE_STACK)
        .spawn(move || {
            let mut recorder = match Recorder::create(&args.case_file) {
                Ok(r) => r,
                Err(e) => {
                    emit(&json!({"kind": "error", "message": format!("{}: {e}", args.case_file.display())}));
                    return;
                }
            };
            let seeds = (target.seeds)(corpus);
            let mut rng = Rng::new(args.seed ^ name_hash(target.name));
            let mut context = Context::default();
            let mut hits: BTreeMap<String, u64> = BTreeMap::new();
            let started = Instant::now();
            let mut cases = 0u64;
            let mut report_at = 0.5;
            let mut seed_index = args.first_seed;
            // Time spent minimizing, left out of the rate.
            let mut minimizing = 0.0;
            while started.elapsed().as_secs_f64() - minimizing < args.seconds && cases < args.cases {
                let (parts, index) = match seeds.get(seed_index) {
                    Some(parts) => {
                        seed_index += 1;
                        (parts.clone(), Some(seed_index - 1))
                    }
                    None => ((target.generate)(&mut rng, corpus), None),
                };
                recorder.write(target.name, &parts, index);
                begin_case();
                let result = run_case(target, &parts, &mut context);
                end_case();
                cases += 1;
                if let Some(caught) = result {
                    let key = caught.key();
                    let count = hits.entry(key.clone()).or_default();
                    *count += 1;
                    if *count == 1 {
                        let clock = Instant::now();
                        let minimized =
                            minimize(target, &parts, &key, &mut context, &mut recorder, args.minimize);
                        minimizing += clock.elapsed().as_secs_f64();
                        emit(&json!({
                            "kind": "panic",
                            "target": target.name,
                            "key": key,
                            "location": caught.location,
                            "message": caught.message,
                            "parts": minimized,
                            "original_len": parts.iter().map(String::len).sum::<usize>(),
                        }));
                    }
                }
                let elapsed = started.elapsed().as_secs_f64();
                if elapsed >= report_at {
                    report_at = elapsed + 0.5;
                    emit(&json!({"kind": "progress", "cases": cases, "seconds": elapsed - minimizing, "hits": hits}));
                }
            }
            emit(&json!({
                "kind": "done",
                "cases": cases,
                "seconds": started.elapsed().as_secs_f64() - minimizing,
                "hits": hits,
            }));
        })
        .expect("the case thread starts");
    let _ = handle.join();
}
