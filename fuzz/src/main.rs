//! `stepfn-fuzz`: runs each target in a worker process for `--seconds`, restarting it after a crash (a stack
//! overflow or an abort cannot be caught in process: the worker's case file holds the repro), and prints cases per
//! second per target and every finding, deduplicated by location, with a minimized repro. Exits 1 when anything
//! panicked, crashed or hung, 2 on bad usage.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use stepfn_fuzz::corpus::{default_shared_dir, Corpus};
use stepfn_fuzz::report::{longest_repeat, show_part};
use stepfn_fuzz::targets::{target, Context, Target, STAGE_PREFIX, TARGETS};
use stepfn_fuzz::worker::{self, read_case_file, WorkerArgs, CASE_STACK};

const USAGE: &str = "\
usage: stepfn-fuzz [--seconds N] [--seed S] [--target NAME]... [options]
       stepfn-fuzz --replay FILE
       stepfn-fuzz --list

Feeds mutations of the strings in shared/conformance and shared/jsonata-test-suite to each target for N seconds
(default 10) and reports cases per second and every panic, crash or hang with a minimized repro. Exit 1 when
anything was found.

options:
  --seconds N            seconds per target (default 10)
  --cases N              at most N cases per target, seeds included (a run of a fixed size repeats exactly)
  --seed S               the run's seed (default: from the clock; printed, so a run repeats with it)
  --target NAME          a target to run (repeat or comma-separate; default: all; see --list)
  --shared DIR           the shared folder (default: $STEPFN_SHARED, else ../shared beside the repository)
  --out DIR              where findings and case files go (default: <temp>/stepfn-fuzz)
  --case-timeout SECS    a case running longer is a hang (default 10)
  --minimize-seconds S   time to shrink each new finding (default 5)
  --max-memory MB        address-space limit of a worker, 0 for none (default 2048)
  --max-len N            the longest text a mutation makes, in bytes (default 1048576)
  --json                 print a JSON summary as the last line
  --replay FILE          run one finding (or case file) once, with the default panic hook
";

#[derive(Debug)]
struct Args {
    seconds: f64,
    cases: u64,
    seed: Option<u64>,
    targets: Vec<String>,
    shared: PathBuf,
    out: PathBuf,
    case_timeout: f64,
    minimize_seconds: f64,
    max_memory: u64,
    max_len: usize,
    json: bool,
    list: bool,
    replay: Option<PathBuf>,
    quiet: bool,
    trace: bool,
    worker: bool,
    first_seed: usize,
    case_file: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 10.0,
        cases: u64::MAX,
        seed: None,
        targets: Vec::new(),
        shared: default_shared_dir(),
        out: std::env::temp_dir().join("stepfn-fuzz"),
        case_timeout: 10.0,
        minimize_seconds: 5.0,
        max_memory: 2048,
        max_len: stepfn_fuzz::mutate::DEFAULT_MAX_LEN,
        json: false,
        list: false,
        replay: None,
        quiet: false,
        trace: false,
        worker: false,
        first_seed: 0,
        case_file: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        fn number<T: std::str::FromStr>(name: &str, text: String) -> Result<T, String> {
            text.parse()
                .map_err(|_| format!("{name}: `{text}` is not a number"))
        }
        match arg.as_str() {
            "--seconds" => args.seconds = number("--seconds", value("--seconds")?)?,
            "--cases" => args.cases = number("--cases", value("--cases")?)?,
            "--seed" => args.seed = Some(number("--seed", value("--seed")?)?),
            "--target" => args.targets.extend(
                value("--target")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            ),
            "--shared" => args.shared = value("--shared")?.into(),
            "--out" => args.out = value("--out")?.into(),
            "--case-timeout" => {
                args.case_timeout = number("--case-timeout", value("--case-timeout")?)?
            }
            "--minimize-seconds" => {
                args.minimize_seconds = number("--minimize-seconds", value("--minimize-seconds")?)?
            }
            "--max-memory" => args.max_memory = number("--max-memory", value("--max-memory")?)?,
            "--max-len" => args.max_len = number("--max-len", value("--max-len")?)?,
            "--json" => args.json = true,
            "--list" => args.list = true,
            "--replay" => args.replay = Some(value("--replay")?.into()),
            "--quiet" => args.quiet = true,
            "--trace" => args.trace = true,
            "--worker" => args.worker = true,
            "--first-seed" => args.first_seed = number("--first-seed", value("--first-seed")?)?,
            "--case-file" => args.case_file = Some(value("--case-file")?.into()),
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if !(args.seconds.is_finite() && args.seconds >= 0.0) {
        return Err("--seconds must be a number of seconds".into());
    }
    for name in &args.targets {
        if target(name).is_none() {
            return Err(format!(
                "no target `{name}`; the targets are: {}",
                TARGETS
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("stepfn-fuzz: {message}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    if args.list {
        for t in TARGETS {
            println!("{:<10} [{}] {}", t.name, t.parts.join(", "), t.about);
        }
        return;
    }
    if let Some(file) = &args.replay {
        std::process::exit(replay(file, &args));
    }
    let corpus = match Corpus::load(&args.shared) {
        Ok(corpus) => &*Box::leak(Box::new(corpus)),
        Err(e) => {
            eprintln!(
                "stepfn-fuzz: the seeds are missing ({e}); pass --shared DIR or set STEPFN_SHARED"
            );
            std::process::exit(2);
        }
    };
    if args.worker {
        let name = args.targets.first().map(String::as_str).unwrap_or("");
        let Some(t) = target(name) else {
            eprintln!("stepfn-fuzz: --worker needs one --target");
            std::process::exit(2);
        };
        if args.max_memory > 0 {
            worker::limit_memory(args.max_memory);
        }
        stepfn_fuzz::mutate::set_max_len(args.max_len);
        worker::work(
            t,
            corpus,
            WorkerArgs {
                seed: args.seed.unwrap_or(1),
                seconds: args.seconds,
                cases: args.cases,
                first_seed: args.first_seed,
                case_file: args
                    .case_file
                    .clone()
                    .unwrap_or_else(|| args.out.join("case")),
                case_timeout: Duration::from_secs_f64(args.case_timeout),
                minimize: Duration::from_secs_f64(args.minimize_seconds),
            },
        );
        return;
    }
    std::process::exit(supervise(&args, corpus));
}

// ---------------------------------------------------------------------------------------------------------------
// Replay

fn replay(file: &Path, args: &Args) -> i32 {
    let case = std::fs::read_to_string(file)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|v| {
            Some((
                v["target"].as_str()?.to_owned(),
                v["parts"]
                    .as_array()?
                    .iter()
                    .map(|p| p.as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>(),
            ))
        })
        .or_else(|| read_case_file(file).map(|c| (c.target, c.parts)));
    let Some((name, parts)) = case else {
        eprintln!(
            "stepfn-fuzz: {} is not a finding or case file",
            file.display()
        );
        return 2;
    };
    let Some(t) = target(&name) else {
        eprintln!("stepfn-fuzz: no target `{name}`");
        return 2;
    };
    if args.max_memory > 0 {
        worker::limit_memory(args.max_memory);
    }
    if args.trace {
        stepfn_fuzz::targets::TRACE.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    if !args.quiet {
        for (label, part) in t.parts.iter().zip(&parts) {
            println!("{label}: {}", show_part(part));
        }
    }
    let ran = std::thread::Builder::new()
        .stack_size(CASE_STACK)
        .spawn(move || (t.execute)(&parts, &mut Context::default()))
        .expect("the case thread starts")
        .join();
    match ran {
        Ok(()) => {
            if !args.quiet {
                println!("no panic");
            }
            0
        }
        Err(_) => 101,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The supervisor

#[derive(Debug, Clone)]
struct Finding {
    target: String,
    kind: String,
    key: String,
    location: String,
    message: String,
    parts: Vec<String>,
    count: u64,
    file: PathBuf,
    /// More repros of a crash or hang with the same key (which may have other causes: they are told apart only by
    /// the call they happened in).
    also: Vec<PathBuf>,
}

#[derive(Debug, Default)]
struct Stats {
    cases: u64,
    seconds: f64,
    restarts: u32,
}

enum Line {
    Json(Value),
    Eof,
}

fn supervise(args: &Args, corpus: &Corpus) -> i32 {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_007)
    });
    let chosen: Vec<&'static Target> = if args.targets.is_empty() {
        TARGETS.iter().collect()
    } else {
        args.targets.iter().filter_map(|n| target(n)).collect()
    };
    let findings_dir = args.out.join("findings");
    if let Err(e) = std::fs::create_dir_all(&findings_dir) {
        eprintln!("stepfn-fuzz: {}: {e}", findings_dir.display());
        return 2;
    }
    println!(
        "stepfn-fuzz: seed {seed}, {} s per target; seeds: {} recorded executions, {} JSONata cases, {} strings",
        args.seconds,
        corpus.recorded,
        corpus.jsonata_cases,
        corpus.strings.len()
    );
    println!(
        "{:<10} {:>10} {:>10} {:>9} {:>9}",
        "target", "cases", "cases/s", "restarts", "findings"
    );
    let mut findings: Vec<Finding> = Vec::new();
    let mut all_stats = Vec::new();
    for t in chosen {
        let before = findings.len();
        let stats = run_target(t, seed, args, &findings_dir, &mut findings);
        println!(
            "{:<10} {:>10} {:>10.0} {:>9} {:>9}",
            t.name,
            stats.cases,
            stats.cases as f64 / stats.seconds.max(1e-9),
            stats.restarts,
            findings.len() - before
        );
        all_stats.push((t.name, stats));
    }
    if findings.is_empty() {
        println!("no panic, crash or hang");
    } else {
        println!("\n{} finding(s):", findings.len());
    }
    for (i, f) in findings.iter().enumerate() {
        let t = target(&f.target).expect("a finding's target exists");
        println!(
            "\n[{}] {}: {} at {} (hit {} time{})",
            i + 1,
            f.target,
            f.kind,
            f.location,
            f.count,
            if f.count == 1 { "" } else { "s" }
        );
        println!("    message: {}", f.message.lines().next().unwrap_or(""));
        for (label, part) in t.parts.iter().zip(&f.parts) {
            println!("    {label}: {}", show_part(part));
        }
        println!("    replay: stepfn-fuzz --replay {}", f.file.display());
        for file in &f.also {
            println!("    another: {}", file.display());
        }
    }
    if args.json {
        let summary = json!({
            "seed": seed,
            "targets": all_stats.iter().map(|(name, s)| json!({
                "name": name,
                "cases": s.cases,
                "seconds": s.seconds,
                "cases_per_second": s.cases as f64 / s.seconds.max(1e-9),
                "restarts": s.restarts,
            })).collect::<Vec<_>>(),
            "findings": findings.iter().map(|f| json!({
                "target": f.target,
                "kind": f.kind,
                "key": f.key,
                "location": f.location,
                "message": f.message,
                "count": f.count,
                "parts": f.parts,
                "file": f.file,
            })).collect::<Vec<_>>(),
        });
        println!("{}", json!({ "summary": summary }));
    }
    i32::from(!findings.is_empty())
}

fn run_target(
    t: &'static Target,
    seed: u64,
    args: &Args,
    findings_dir: &Path,
    findings: &mut Vec<Finding>,
) -> Stats {
    let exe = std::env::current_exe().expect("the harness knows its own path");
    let case_file = args
        .out
        .join(format!("case-{}-{}", t.name, std::process::id()));
    let started = Instant::now();
    let mut stats = Stats::default();
    let mut first_seed = 0usize;
    let mut child_seed = seed;
    let mut hits: BTreeMap<String, u64> = BTreeMap::new();
    // Time spent shrinking crashes, which does not count against the target's seconds.
    let mut minimizing = 0.0;
    loop {
        let remaining = args.seconds - (started.elapsed().as_secs_f64() - minimizing);
        let cases_left = args.cases.saturating_sub(stats.cases);
        if stats.restarts > 0 && (remaining < 0.05 || cases_left == 0) || stats.restarts > 200 {
            break;
        }
        let mut command = Command::new(&exe);
        command
            .args(["--worker", "--target", t.name])
            .arg("--seed")
            .arg(child_seed.to_string())
            .arg("--seconds")
            .arg(remaining.max(0.0).to_string())
            .arg("--cases")
            .arg(cases_left.to_string())
            .arg("--first-seed")
            .arg(first_seed.to_string())
            .arg("--case-file")
            .arg(&case_file)
            .arg("--shared")
            .arg(&args.shared)
            .arg("--case-timeout")
            .arg(args.case_timeout.to_string())
            .arg("--minimize-seconds")
            .arg(args.minimize_seconds.to_string())
            .arg("--max-memory")
            .arg(args.max_memory.to_string())
            .arg("--max-len")
            .arg(args.max_len.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                eprintln!("stepfn-fuzz: cannot start a worker: {e}");
                break;
            }
        };
        let (send, receive) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(value) = serde_json::from_str(&line) {
                    let _ = send.send(Line::Json(value));
                }
            }
            let _ = send.send(Line::Eof);
        });
        let mut stderr = child.stderr.take().expect("piped stderr");
        let stderr_reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            let text = String::from_utf8_lossy(&text).to_string();
            let cut = text.len().saturating_sub(4000);
            let cut = (cut..text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            text[cut..].to_owned()
        });
        // The worker stops itself; past this it is stuck outside any case, and is stopped.
        let deadline = Instant::now()
            + Duration::from_secs_f64(
                remaining.max(0.0) + args.case_timeout + args.minimize_seconds * 20.0 + 30.0,
            );
        let mut last = (0u64, 0f64, BTreeMap::new());
        let mut done = false;
        loop {
            match receive.recv_timeout(Duration::from_millis(200)) {
                Ok(Line::Json(line)) => match line["kind"].as_str() {
                    Some("panic") | Some("hang") => {
                        record(&line, t, findings_dir, findings);
                    }
                    Some("progress") | Some("done") => {
                        let counts = line["hits"]
                            .as_object()
                            .map(|m| {
                                m.iter()
                                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        last = (
                            line["cases"].as_u64().unwrap_or(0),
                            line["seconds"].as_f64().unwrap_or(0.0),
                            counts,
                        );
                        done |= line["kind"] == "done";
                    }
                    Some("error") => eprintln!("stepfn-fuzz: worker: {}", line["message"]),
                    _ => {}
                },
                Ok(Line::Eof) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if Instant::now() > deadline {
                        let _ = child.kill();
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = child.wait();
        let stderr_tail = stderr_reader.join().unwrap_or_default();
        stats.cases += last.0;
        stats.seconds += last.1;
        for (key, count) in last.2 {
            *hits.entry(key).or_default() += count;
        }
        if done {
            break;
        }
        stats.restarts += 1;
        let case = read_case_file(&case_file);
        // The cases the worker ran: exact when it stopped on a seed case (progress lines come twice a second).
        stats.cases -= last.0;
        stats.cases += match case.as_ref().and_then(|c| c.seed_index) {
            Some(i) if first_seed != usize::MAX => (i + 1).saturating_sub(first_seed) as u64,
            _ => last.0 + 1,
        };
        first_seed = match case.as_ref().and_then(|c| c.seed_index) {
            Some(i) => i + 1,
            None => usize::MAX,
        };
        child_seed = child_seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let code = status.as_ref().ok().and_then(|s| s.code());
        if code == Some(3) {
            // A hang, already recorded from the worker's own report.
            *hits.entry(format!("hang:{}", t.name)).or_default() += 1;
            continue;
        }
        let kind = if stderr_tail.contains("has overflowed its stack") {
            "stack overflow".to_owned()
        } else if stderr_tail.contains("memory allocation of") {
            "out of memory".to_owned()
        } else {
            format!(
                "crash ({})",
                status.map_or_else(|e| e.to_string(), |s| s.to_string())
            )
        };
        let mut parts = case.map(|c| c.parts).unwrap_or_default();
        // Told apart by the kind and the call it happened in (replayed to find out), else the case's longest
        // repeat.
        let stage = crash_stage(&exe, t, &parts, args);
        let key = match &stage {
            Some(stage) => format!("crash: {kind} in {stage}"),
            None => format!(
                "crash: {kind}{}",
                longest_repeat(&parts)
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        };
        let marker = match kind.as_str() {
            "stack overflow" => Some("has overflowed its stack"),
            "out of memory" => Some("memory allocation of"),
            _ => None,
        };
        let seen = findings.iter().any(|f| f.target == t.name && f.key == key);
        if let (Some(marker), false) = (marker, seen) {
            let clock = Instant::now();
            parts = minimize_crash(&exe, t, &parts, marker, args);
            minimizing += clock.elapsed().as_secs_f64();
        }
        let message = stderr_tail
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(&kind)
            .to_owned();
        record(
            &json!({
                "kind": kind,
                "target": t.name,
                "key": key,
                "location": format!("(process aborted) in {}", stage.as_deref().unwrap_or("an unknown call")),
                "message": format!("{message} ({})", stderr_tail.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" / ")),
                "parts": parts,
            }),
            t,
            findings_dir,
            findings,
        );
        *hits.entry(key).or_default() += 1;
    }
    for f in findings.iter_mut().filter(|f| f.target == t.name) {
        f.count = hits.get(&f.key).copied().unwrap_or(f.count).max(1);
    }
    let _ = std::fs::remove_file(&case_file);
    stats
}

/// The call a crashing case crashes in: the last stage a `--replay --trace` of it names.
fn crash_stage(exe: &Path, t: &Target, parts: &[String], args: &Args) -> Option<String> {
    let file = args
        .out
        .join(format!("stage-{}-{}.json", t.name, std::process::id()));
    std::fs::write(
        &file,
        json!({ "target": t.name, "parts": parts }).to_string(),
    )
    .ok()?;
    let output = Command::new(exe)
        .arg("--replay")
        .arg(&file)
        .args(["--quiet", "--trace", "--max-memory"])
        .arg(args.max_memory.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&file);
    if output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(STAGE_PREFIX))
        .map(String::from)
}

/// A smaller case that still crashes the same way, each try run by a `--replay` process (a crash cannot be caught
/// in process): chunks of characters removed, halving the chunk, within a few dozen tries.
fn minimize_crash(
    exe: &Path,
    t: &Target,
    parts: &[String],
    marker: &str,
    args: &Args,
) -> Vec<String> {
    let file = args
        .out
        .join(format!("crash-{}-{}.json", t.name, std::process::id()));
    let deadline = Instant::now() + Duration::from_secs_f64(args.minimize_seconds * 4.0);
    let crashes = |parts: &[String]| -> bool {
        let body = json!({ "target": t.name, "parts": parts }).to_string();
        if std::fs::write(&file, body).is_err() {
            return false;
        }
        Command::new(exe)
            .arg("--replay")
            .arg(&file)
            .arg("--quiet")
            .arg("--max-memory")
            .arg(args.max_memory.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .is_ok_and(|out| {
                !out.status.success() && String::from_utf8_lossy(&out.stderr).contains(marker)
            })
    };
    let mut best = parts.to_vec();
    'parts: for i in 0..best.len() {
        let mut chars: Vec<char> = best[i].chars().collect();
        let mut chunk = (chars.len() / 2).max(1);
        while !chars.is_empty() {
            let mut at = 0;
            let mut removed = false;
            while at < chars.len() {
                if Instant::now() > deadline {
                    break 'parts;
                }
                let end = (at + chunk).min(chars.len());
                let mut trial = best.clone();
                trial[i] = chars[..at].iter().chain(&chars[end..]).collect();
                if crashes(&trial) {
                    chars.drain(at..end);
                    best = trial;
                    removed = true;
                } else {
                    at += chunk;
                }
            }
            if !removed {
                if chunk == 1 || chunk * 64 < chars.len() {
                    break;
                }
                chunk /= 2;
            }
        }
    }
    let _ = std::fs::remove_file(&file);
    best
}

/// Adds a finding unless one with the same key was found before; writes its repro file.
fn record(line: &Value, t: &Target, dir: &Path, findings: &mut Vec<Finding>) {
    let key = line["key"].as_str().unwrap_or("").to_owned();
    let key = if key == "hang" {
        format!("hang:{}", t.name)
    } else {
        key
    };
    let parts: Vec<String> = line["parts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    if let Some(existing) = findings
        .iter_mut()
        .find(|f| f.target == t.name && f.key == key)
    {
        existing.count += 1;
        if existing.kind != "panic" && existing.also.len() < 5 {
            let file = existing
                .file
                .with_extension(format!("also-{}.json", existing.also.len() + 1));
            let body = json!({ "target": t.name, "kind": existing.kind, "parts": parts });
            if std::fs::write(&file, body.to_string()).is_ok() {
                existing.also.push(file);
            }
        }
        return;
    }
    let file = dir.join(format!(
        "{}-{}.json",
        t.name,
        findings.iter().filter(|f| f.target == t.name).count() + 1
    ));
    let finding = Finding {
        target: t.name.to_owned(),
        kind: line["kind"].as_str().unwrap_or("panic").to_owned(),
        key,
        location: line["location"].as_str().unwrap_or("").to_owned(),
        message: line["message"].as_str().unwrap_or("").to_owned(),
        parts,
        count: 1,
        file,
        also: Vec::new(),
    };
    let body = json!({
        "target": finding.target,
        "kind": finding.kind,
        "location": finding.location,
        "message": finding.message,
        "parts": finding.parts,
    });
    let _ = std::fs::write(
        &finding.file,
        serde_json::to_string_pretty(&body).unwrap_or_default(),
    );
    findings.push(finding);
}
