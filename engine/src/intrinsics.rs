//! The 18 intrinsic functions (`States.Format`, `States.ArrayPartition`, ...), evaluated as AWS does.
//!
//! Written by hand rather than taken from a library because what matters is AWS's exact behaviour, which no crate
//! reproduces: `States.Format` renders objects the Java way (`{a=1, b=[]}`), `States.MathAdd` rounds non-integer
//! arguments with Java's `Math.round` (half up: -3.5 becomes -3), `States.StringSplit` splits on any of the
//! delimiter's characters and drops empty pieces (Java's `StringTokenizer`), `States.StringToJson` reads a blank
//! string as `null`, and the limits (10,000 characters, 1,000 items) are AWS's. A run-time mistake (a wrong argument
//! type, an index out of range, ...) is a `States.IntrinsicFailure` whose cause names the function.

use crate::failure::names;
use crate::Failure;
use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::Digest as _;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use stepfn_asl::intrinsic::{Expr, Function, HASH_ALGORITHMS};
use stepfn_asl::path::Path;

/// The most characters `States.Base64Encode`, `States.Base64Decode` and `States.Hash` accept.
const MAX_INPUT_CHARS: usize = 10_000;
/// The most items `States.ArrayRange` may produce.
const MAX_RANGE_ITEMS: i128 = 1_000;

/// The source of randomness for `States.MathRandom` (unseeded) and `States.UUID`; seedable so runs repeat.
#[derive(Debug, Clone)]
pub struct Entropy {
    state: u64,
}

impl Entropy {
    /// A generator with a fixed seed.
    pub fn seeded(seed: u64) -> Entropy {
        Entropy { state: seed }
    }

    /// A generator seeded from the clock (and a per-process counter, so two made at once differ).
    pub fn from_time() -> Entropy {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        Entropy::seeded(nanos ^ count.wrapping_mul(0xA076_1D64_78BD_642F))
    }

    /// A number drawn uniformly from [0, 1) (for retry jitter and the like).
    /// A version 4 UUID (`States.UUID`, JSONata's `$uuid`).
    pub fn uuid(&mut self) -> String {
        uuid(self)
    }

    pub fn fraction(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An independent generator seeded from this one (which moves on), for one evaluation's functions.
    pub fn split(&mut self) -> Entropy {
        Entropy::seeded(self.next_u64())
    }

    /// SplitMix64.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Evaluates a parsed intrinsic call; `resolve` gives the value of a path argument (or the failure to report).
pub fn evaluate(
    expr: &Expr,
    resolve: &mut dyn FnMut(&Path) -> Result<Value, Failure>,
    entropy: &mut Entropy,
) -> Result<Value, Failure> {
    match expr {
        // The template keeps its `\{` `\}` escapes so that `format` can tell them from placeholders.
        Expr::Call {
            function: Function::Format,
            args,
        } => {
            let name = Function::Format.name();
            let (template, escaped) = match args.split_first() {
                Some((Expr::String(raw), _)) => (raw.clone(), true),
                Some((first, _)) => {
                    let value = evaluate(first, resolve, entropy)?;
                    (string(name, 1, value)?, false)
                }
                None => return Err(fail(name, "needs a template string")),
            };
            let values = args
                .iter()
                .skip(1)
                .map(|arg| evaluate(arg, resolve, entropy))
                .collect::<Result<Vec<_>, _>>()?;
            format(&template, escaped, &values)
        }
        Expr::Call { function, args } => {
            let values = args
                .iter()
                .map(|arg| evaluate(arg, resolve, entropy))
                .collect::<Result<Vec<_>, _>>()?;
            call(*function, values, entropy)
        }
        Expr::String(text) => Ok(Value::String(text.replace("\\{", "{").replace("\\}", "}"))),
        Expr::Number(number) => Ok(Value::Number(number.clone())),
        Expr::Bool(b) => Ok(Value::Bool(*b)),
        Expr::Null => Ok(Value::Null),
        Expr::Path(path) => resolve(path),
    }
}

fn call(function: Function, args: Vec<Value>, entropy: &mut Entropy) -> Result<Value, Failure> {
    let name = function.name();
    match function {
        Function::Format => format_call(args),
        Function::StringToJson => string_to_json(arity(name, args)?),
        Function::JsonToString => json_to_string(arity(name, args)?),
        Function::Array => Ok(Value::Array(args)),
        Function::ArrayPartition => array_partition(arity(name, args)?),
        Function::ArrayContains => array_contains(arity(name, args)?),
        Function::ArrayRange => array_range(arity(name, args)?),
        Function::ArrayGetItem => array_get_item(arity(name, args)?),
        Function::ArrayLength => array_length(arity(name, args)?),
        Function::ArrayUnique => array_unique(arity(name, args)?),
        Function::Base64Encode => base64_encode(arity(name, args)?),
        Function::Base64Decode => base64_decode(arity(name, args)?),
        Function::Hash => hash(arity(name, args)?),
        Function::JsonMerge => json_merge(arity(name, args)?),
        Function::MathRandom => math_random(args, entropy),
        Function::MathAdd => math_add(arity(name, args)?),
        Function::StringSplit => string_split(arity(name, args)?),
        Function::Uuid => {
            let [] = arity(name, args)?;
            Ok(Value::String(uuid(entropy)))
        }
    }
}

/// `States.Format` over evaluated arguments (a template that came from a path: no escapes to keep).
fn format_call(args: Vec<Value>) -> Result<Value, Failure> {
    let name = Function::Format.name();
    let mut args = args.into_iter();
    let template = match args.next() {
        Some(value) => string(name, 1, value)?,
        None => return Err(fail(name, "needs a template string")),
    };
    format(&template, false, &args.collect::<Vec<_>>())
}

// ---- Argument checks ----------------------------------------------------------------------------------------------

fn fail(function: &str, what: impl std::fmt::Display) -> Failure {
    Failure::new(names::INTRINSIC_FAILURE, format!("{function}: {what}"))
}

/// The arguments as a fixed-size array, or a failure if there are not exactly `N`.
fn arity<const N: usize>(function: &str, args: Vec<Value>) -> Result<[Value; N], Failure> {
    let count = args.len();
    args.try_into()
        .map_err(|_| fail(function, format!("takes {N} argument(s), not {count}")))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The shared type check: `argument N must be <expected>, not <what it is>`.
fn wrong_type(function: &str, position: usize, expected: &str, value: &Value) -> Failure {
    fail(
        function,
        format!(
            "argument {position} must be {expected}, not {}",
            kind(value)
        ),
    )
}

fn string(function: &str, position: usize, value: Value) -> Result<String, Failure> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(wrong_type(function, position, "a string", &other)),
    }
}

fn array(function: &str, position: usize, value: Value) -> Result<Vec<Value>, Failure> {
    match value {
        Value::Array(items) => Ok(items),
        other => Err(wrong_type(function, position, "an array", &other)),
    }
}

fn object(function: &str, position: usize, value: Value) -> Result<Map<String, Value>, Failure> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(wrong_type(function, position, "a JSON object", &other)),
    }
}

/// A whole number; AWS rounds a fractional one half up, as Java's `Math.round` does (-1.5 to -1, 2.5 to 3).
fn integer(function: &str, position: usize, value: &Value) -> Result<i64, Failure> {
    let Value::Number(number) = value else {
        return Err(wrong_type(function, position, "an integer", value));
    };
    if let Some(i) = number.as_i64() {
        return Ok(i);
    }
    let x = number.as_f64().unwrap_or(f64::NAN);
    let floor = x.floor();
    let rounded = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    // i64::MAX as f64 rounds up to 2^63, so the upper bound is exclusive.
    if rounded.is_finite() && rounded >= i64::MIN as f64 && rounded < i64::MAX as f64 {
        Ok(rounded as i64)
    } else {
        Err(fail(
            function,
            format!("argument {position} ({number}) is too large for an integer"),
        ))
    }
}

/// Java's `String.length()`: UTF-16 code units, which is how AWS counts characters.
fn check_length(function: &str, text: &str) -> Result<(), Failure> {
    let length = text.encode_utf16().count();
    if length > MAX_INPUT_CHARS {
        return Err(fail(
            function,
            format!("the input has {length} characters; the limit is {MAX_INPUT_CHARS}"),
        ));
    }
    Ok(())
}

// ---- The functions ------------------------------------------------------------------------------------------------

/// `{}` takes the next value; in a literal template `\{` and `\}` are literal braces.
fn format(template: &str, escaped: bool, values: &[Value]) -> Result<Value, Failure> {
    const NAME: &str = "States.Format";
    let expected = values.len();
    let mut values = values.iter();
    let mut used = 0;
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&brace @ ('{' | '}'))) if escaped => {
                out.push(brace);
                chars.next();
            }
            ('{', Some('}')) => {
                chars.next();
                used += 1;
                if let Some(value) = values.next() {
                    render(value, &mut out);
                }
            }
            _ => out.push(c),
        }
    }
    if used != expected {
        return Err(fail(
            NAME,
            format!(
                "the template has {used} `{{}}` placeholder(s) but {expected} value(s) were given"
            ),
        ));
    }
    Ok(Value::String(out))
}

/// A value as `States.Format` writes it: strings bare, objects and arrays as Java's `Map`/`List` print them.
fn render(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                render(item, out);
            }
            out.push('}');
        }
    }
}

fn string_to_json([text]: [Value; 1]) -> Result<Value, Failure> {
    const NAME: &str = "States.StringToJson";
    let text = string(NAME, 1, text)?;
    // AWS reads an empty or blank string as null.
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    let mut value: Value = stepfn_asl::json_text::from_str(&text)
        .map_err(|e| fail(NAME, format!("the string is not valid JSON: {e}")))?;
    integer_zero(&mut value);
    Ok(value)
}

/// serde_json reads `-0` as the float -0.0; AWS reads it as the integer 0.
fn integer_zero(value: &mut Value) {
    match value {
        Value::Number(n)
            if n.is_f64() && n.as_f64().is_some_and(|x| x == 0.0 && x.is_sign_negative()) =>
        {
            *value = Value::from(0);
        }
        Value::Array(items) => items.iter_mut().for_each(integer_zero),
        Value::Object(map) => map.values_mut().for_each(integer_zero),
        _ => {}
    }
}

fn json_to_string([value]: [Value; 1]) -> Result<Value, Failure> {
    serde_json::to_string(&value)
        .map(Value::String)
        .map_err(|e| fail("States.JsonToString", e))
}

fn array_partition([items, size]: [Value; 2]) -> Result<Value, Failure> {
    const NAME: &str = "States.ArrayPartition";
    let items = array(NAME, 1, items)?;
    let size = integer(NAME, 2, &size)?;
    if size <= 0 {
        return Err(fail(
            NAME,
            format!("the chunk size must be greater than 0, not {size}"),
        ));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let chunks = items.chunks(size).map(|chunk| Value::Array(chunk.to_vec()));
    Ok(Value::Array(chunks.collect()))
}

fn array_contains([items, wanted]: [Value; 2]) -> Result<Value, Failure> {
    let items = array("States.ArrayContains", 1, items)?;
    Ok(Value::Bool(items.contains(&wanted)))
}

/// From the first to the last value inclusive, by a non-zero step (which may be negative).
fn array_range([first, last, step]: [Value; 3]) -> Result<Value, Failure> {
    const NAME: &str = "States.ArrayRange";
    let first = integer(NAME, 1, &first)?;
    let last = integer(NAME, 2, &last)?;
    let step = integer(NAME, 3, &step)?;
    if step == 0 {
        return Err(fail(NAME, "the step cannot be 0"));
    }
    let span = i128::from(last) - i128::from(first);
    let count = if span != 0 && (span > 0) != (step > 0) {
        0
    } else {
        span / i128::from(step) + 1
    };
    if count > MAX_RANGE_ITEMS {
        return Err(fail(
            NAME,
            format!("the range would have {count} items; the limit is {MAX_RANGE_ITEMS}"),
        ));
    }
    let items = (0..count).map(|i| Value::from((i128::from(first) + i * i128::from(step)) as i64));
    Ok(Value::Array(items.collect()))
}

fn array_get_item([items, index]: [Value; 2]) -> Result<Value, Failure> {
    const NAME: &str = "States.ArrayGetItem";
    let mut items = array(NAME, 1, items)?;
    let index = integer(NAME, 2, &index)?;
    let len = items.len();
    match usize::try_from(index) {
        Ok(i) if i < len => Ok(items.swap_remove(i)),
        _ => Err(fail(
            NAME,
            format!("index {index} is out of range for an array of {len} items"),
        )),
    }
}

fn array_length([items]: [Value; 1]) -> Result<Value, Failure> {
    let items = array("States.ArrayLength", 1, items)?;
    Ok(Value::from(items.len()))
}

/// Keeps the first of each set of equal items, in order.
fn array_unique([items]: [Value; 1]) -> Result<Value, Failure> {
    let items = array("States.ArrayUnique", 1, items)?;
    let mut seen = HashSet::new();
    let unique = items.into_iter().filter(|item| {
        let mut key = String::new();
        canonical(item, &mut key);
        seen.insert(key)
    });
    Ok(Value::Array(unique.collect()))
}

/// Text equal for equal values: object keys sorted (JSON equality ignores their order), -0.0 written as 0.0.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Number(n) if n.as_f64() == Some(0.0) && n.is_f64() => out.push_str("0.0"),
        Value::Array(items) => {
            out.push('[');
            for item in items {
                canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (key, item) in entries {
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(item, out);
                out.push(',');
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn base64_encode([text]: [Value; 1]) -> Result<Value, Failure> {
    const NAME: &str = "States.Base64Encode";
    let text = string(NAME, 1, text)?;
    check_length(NAME, &text)?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
    ))
}

/// MIME decoding: line breaks and spaces are ignored, and the `=` padding may be left off.
fn base64_decode([encoded]: [Value; 1]) -> Result<Value, Failure> {
    const NAME: &str = "States.Base64Decode";
    let encoded = string(NAME, 1, encoded)?;
    check_length(NAME, &encoded)?;
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine
        .decode(compact)
        .map_err(|e| fail(NAME, format!("the string is not valid base64: {e}")))?;
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Lowercase hex of the digest of the data (a string as it is, any other value as its JSON text).
fn hash([data, algorithm]: [Value; 2]) -> Result<Value, Failure> {
    let algorithm = string("States.Hash", 2, algorithm)?;
    hash_value(&data, &algorithm)
        .map(Value::String)
        .map_err(|message| fail("States.Hash", message))
}

/// The lowercase hex digest of a value (a string's text, anything else's JSON text) by `States.Hash`'s algorithms.
pub fn hash_value(data: &Value, algorithm: &str) -> Result<String, String> {
    const NAME: &str = "States.Hash";
    let data = match data {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    check_length(NAME, &data).map_err(|f| f.cause.unwrap_or_default())?;
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        other => {
            return Err(format!(
                "`{other}` is not an algorithm; use one of {}",
                HASH_ALGORITHMS.join(", ")
            ))
        }
    };
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Shallow: the second object's keys replace the first's (keeping the first's order), nested objects aren't merged.
fn json_merge([first, second, deep]: [Value; 3]) -> Result<Value, Failure> {
    const NAME: &str = "States.JsonMerge";
    let mut merged = object(NAME, 1, first)?;
    let second = object(NAME, 2, second)?;
    match deep {
        Value::Bool(false) => {}
        Value::Bool(true) => {
            return Err(fail(
                NAME,
                "deep merging is not supported; the third argument must be false",
            ))
        }
        other => return Err(wrong_type(NAME, 3, "false", &other)),
    }
    merged.extend(second);
    Ok(Value::Object(merged))
}

/// A whole number from `start` (inclusive) to `end` (exclusive); with a seed, always the same number for the same
/// arguments (drawn as Java's `new Random(seed).nextInt(end - start) + start` would).
fn math_random(args: Vec<Value>, entropy: &mut Entropy) -> Result<Value, Failure> {
    const NAME: &str = "States.MathRandom";
    if args.len() != 2 && args.len() != 3 {
        return Err(fail(
            NAME,
            format!("takes 2 or 3 arguments, not {}", args.len()),
        ));
    }
    let start = integer(NAME, 1, &args[0])?;
    let end = integer(NAME, 2, &args[1])?;
    if start >= end {
        return Err(fail(
            NAME,
            format!("the start ({start}) must be less than the end ({end})"),
        ));
    }
    let bound = (i128::from(end) - i128::from(start)) as u64;
    let offset = match args.get(2) {
        Some(seed) => JavaRandom::new(integer(NAME, 3, seed)?).below(bound),
        None => ((u128::from(entropy.next_u64()) * u128::from(bound)) >> 64) as u64,
    };
    Ok(Value::from((i128::from(start) + i128::from(offset)) as i64))
}

/// `java.util.Random`: a well-known generator, so a seed gives the same sequence everywhere.
struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> JavaRandom {
        JavaRandom {
            seed: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        (self.seed >> (48 - bits)) as i32
    }

    /// `nextInt(bound)` for bounds that fit an `int`, `nextLong()` reduced to the bound otherwise.
    fn below(&mut self, bound: u64) -> u64 {
        let Ok(bound) = i32::try_from(bound) else {
            let high = i64::from(self.next(32)) << 32;
            let long = high.wrapping_add(i64::from(self.next(32)));
            return (long as u64) % bound;
        };
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as u64;
        }
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r as u64;
            }
            u = self.next(31);
        }
    }
}

/// The sum of two integers; fractional arguments are first rounded half up, as AWS does.
fn math_add([a, b]: [Value; 2]) -> Result<Value, Failure> {
    const NAME: &str = "States.MathAdd";
    let a = integer(NAME, 1, &a)?;
    let b = integer(NAME, 2, &b)?;
    a.checked_add(b)
        .map(Value::from)
        .ok_or_else(|| fail(NAME, format!("{a} + {b} is too large for an integer")))
}

/// Splits on every character of the delimiter string, dropping empty pieces (as Java's `StringTokenizer` does).
fn string_split([text, delimiters]: [Value; 2]) -> Result<Value, Failure> {
    const NAME: &str = "States.StringSplit";
    let text = string(NAME, 1, text)?;
    let delimiters = string(NAME, 2, delimiters)?;
    let pieces = text
        .split(|c| delimiters.contains(c))
        .filter(|piece| !piece.is_empty())
        .map(|piece| Value::String(piece.to_owned()));
    Ok(Value::Array(pieces.collect()))
}

/// A version 4 UUID in lowercase.
fn uuid(entropy: &mut Entropy) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&entropy.next_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&entropy.next_u64().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A number as JSON, integral values as integers (`2.0` is `2`).
pub fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}
