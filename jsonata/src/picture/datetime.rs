//! `$fromMillis` and `$toMillis`: date/time pictures of XPath F&O 3.1 §9.8 (`fn:format-dateTime`) over
//! milliseconds since the epoch, and their inverse (JSONata's parsing with the same markers).
//!
//! A picture is literal text (`[[` and `]]` escape brackets) with variable markers `[<component><presentation>
//! <modifier>,<width>]`; whitespace inside a marker is ignored. Components: `Y` year, `M` month, `D` day of month,
//! `d` day of year, `F` day of week, `W` ISO week, `X` ISO week-numbering year, `w` week of month, `x` month of that
//! week, `H`/`h` hour (24/12), `P` am/pm, `m` minute, `s` second, `f` fractional seconds, `Z`/`z` timezone, `C`
//! calendar and `E` era (both "ISO"). Without a picture, ISO 8601 (`2017-11-07T15:07:54.972Z`) is used.

use std::time::{SystemTime, UNIX_EPOCH};

use super::calendar::{
    civil_from_days, days_from_civil, iso_week, iso_weekday, week_of_month, MS_PER_DAY,
};
use super::digits::decimal_digit;
use super::integer::{apply_case, ordinal_suffix, parse_primary, Case, DecimalPattern, Primary};
use super::words;
use crate::Error;

const ISO_PICTURE: &str = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// The range of ECMAScript dates, in milliseconds either side of the epoch.
const MAX_MILLIS: f64 = 8.64e15;
/// Parsed numbers above this are out of any sensible date range.
const MAX_COMPONENT: f64 = 1e9;

/// How a marker presents its component.
#[derive(Debug, Clone, PartialEq)]
enum Presentation {
    Integer(Primary),
    Name(Case),
    /// A timezone: the digits pattern (e.g. `01:01`, `0`, `0101`) and whether zero is shown as `Z` (`t`).
    Timezone {
        pattern: String,
        zulu: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Marker {
    component: char,
    presentation: Presentation,
    ordinal: bool,
    min_width: Option<usize>,
    max_width: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    Marker(Marker),
}

/// `$fromMillis(millis, picture, timezone)`.
pub fn from_millis(
    millis: f64,
    picture: Option<&str>,
    timezone: Option<&str>,
) -> Result<String, Error> {
    let parts = parse_picture(picture.unwrap_or(ISO_PICTURE))?;
    if !millis.is_finite() || millis.abs() > MAX_MILLIS {
        return Err(Error::new(
            "D3110",
            format!("The millisecond value {millis} is not a valid timestamp"),
        ));
    }
    let offset = timezone.and_then(parse_offset_argument).unwrap_or(0);
    let moment = Moment::new(millis.floor() as i64 + offset * 60_000, offset);
    let mut out = String::new();
    for part in &parts {
        match part {
            Part::Literal(text) => out.push_str(text),
            Part::Marker(marker) => out.push_str(&format_marker(marker, &moment)),
        }
    }
    Ok(out)
}

/// `$toMillis(timestamp, picture)`: `None` when the text does not match the picture. Date parts missing before
/// the first one given are taken from the current time (see [`to_millis_at`] to supply it).
pub fn to_millis(timestamp: &str, picture: Option<&str>) -> Result<Option<f64>, Error> {
    to_millis_at(timestamp, picture, now_millis())
}

/// `$toMillis` with "now" given (milliseconds since the epoch), e.g. the evaluation's `$now()`, for
/// deterministic results when the picture leaves out leading date parts (`[H]:[m]` is today at that time).
pub fn to_millis_at(
    timestamp: &str,
    picture: Option<&str>,
    now_millis: i64,
) -> Result<Option<f64>, Error> {
    match picture {
        None => parse_iso(timestamp)
            .map(Some)
            .ok_or_else(|| Error::new("D3110", format!("The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {timestamp}"))),
        Some(picture) => {
            let parts = parse_picture(picture)?;
            check_components(&parts)?;
            Ok(parse_with(timestamp, &parts).and_then(|fields| fields.to_millis(now_millis)))
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Picture analysis

fn parse_picture(picture: &str) -> Result<Vec<Part>, Error> {
    // literal parts, and marker bodies still to be parsed
    let mut parts: Vec<Result<Part, String>> = Vec::new();
    let mut literal = String::new();
    let mut chars = picture.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' if chars.peek() == Some(&'[') => {
                chars.next();
                literal.push('[');
            }
            ']' if chars.peek() == Some(&']') => {
                chars.next();
                literal.push(']');
            }
            '[' => {
                let mut body = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(c) if c.is_whitespace() => {}
                        Some(c) => body.push(c),
                        None => {
                            return Err(Error::new(
                                "D3135",
                                "No matching closing bracket ']' in date/time picture string",
                            ))
                        }
                    }
                }
                if !literal.is_empty() {
                    parts.push(Ok(Part::Literal(std::mem::take(&mut literal))));
                }
                parts.push(Err(body));
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        parts.push(Ok(Part::Literal(literal)));
    }
    // markers are checked once all brackets are known to be closed
    parts
        .into_iter()
        .map(|part| part.or_else(|body| parse_marker(&body).map(Part::Marker)))
        .collect()
}

fn default_presentation(component: char) -> &'static str {
    match component {
        'F' | 'P' | 'C' | 'E' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => "1",
    }
}

/// The largest width modifier, as `$pad`'s width is bounded.
const MAX_WIDTH: usize = 10_000_000;

fn parse_marker(body: &str) -> Result<Marker, Error> {
    let component = body.chars().next().unwrap_or(' ');
    if !"YMDdFWwXxHhPmsfZzCE".contains(component) {
        return Err(Error::new(
            "D3132",
            format!("Unknown component specifier {component} in date/time picture string"),
        ));
    }
    let rest = &body[component.len_utf8()..];
    let (modifier, width) = match rest.rsplit_once(',') {
        Some((modifier, width)) => (modifier, Some(width)),
        None => (rest, None),
    };
    let (min_width, max_width) = width.map(parse_width).unwrap_or((None, None));
    if let Some(n) = min_width.max(max_width).filter(|&n| n > MAX_WIDTH) {
        // A width pads (or admits) that many digits: a huge one would exhaust memory.
        return Err(Error::new(
            "U1002",
            format!("The width {n} in a date/time picture exceeds the limit of {MAX_WIDTH}"),
        ));
    }
    let (mut modifier, ordinal, traditional) = split_second_modifier(modifier);
    if modifier.is_empty() {
        modifier = default_presentation(component).to_string();
    }
    let presentation = presentation(component, &modifier, traditional)?;
    Ok(Marker {
        component,
        presentation,
        ordinal,
        min_width,
        max_width,
    })
}

/// `min-max` with `*` for unbounded; a lone `min` leaves the maximum open.
fn parse_width(width: &str) -> (Option<usize>, Option<usize>) {
    let number = |s: &str| s.parse::<usize>().ok().filter(|&n| n > 0);
    match width.split_once('-') {
        Some((min, max)) => (number(min), number(max)),
        None => (number(width), None),
    }
}

/// Splits a trailing `o`/`c` (ordinal/cardinal, maybe with a parenthesised variant) or `t` (traditional).
fn split_second_modifier(modifier: &str) -> (String, bool, bool) {
    let mut text = modifier.to_string();
    if text.ends_with(')') {
        if let Some(open) = text.rfind('(') {
            text.truncate(open);
        }
    }
    if text.chars().count() > 1 {
        for (suffix, ordinal, traditional) in
            [('o', true, false), ('c', false, false), ('t', false, true)]
        {
            if text.ends_with(suffix) {
                text.pop();
                return (text, ordinal, traditional);
            }
        }
    }
    (text, false, false)
}

fn presentation(component: char, modifier: &str, traditional: bool) -> Result<Presentation, Error> {
    if let Some(case) = name_case(modifier) {
        return if "MxFPCE".contains(component) {
            Ok(Presentation::Name(case))
        } else {
            Err(Error::new("D3133", format!("The 'name' modifier can only be applied to months and days in the date/time picture string, not {component}")))
        };
    }
    if component == 'Z' || component == 'z' {
        let digits = modifier
            .chars()
            .filter(|&c| decimal_digit(c).is_some())
            .count();
        if digits > 4 {
            return Err(Error::new(
                "D3134",
                "The timezone integer format specifier cannot have more than four digits",
            ));
        }
        return Ok(Presentation::Timezone {
            pattern: modifier.to_string(),
            zulu: traditional,
        });
    }
    if "CE".contains(component) {
        return Ok(Presentation::Name(Case::Upper));
    }
    Ok(Presentation::Integer(parse_primary(modifier)?))
}

fn name_case(modifier: &str) -> Option<Case> {
    match modifier {
        "N" => Some(Case::Upper),
        "n" => Some(Case::Lower),
        "Nn" => Some(Case::Title),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

/// The fields of an instant in a timezone.
struct Moment {
    days: i64,
    year: i64,
    month: i64,
    day: i64,
    millis_of_day: i64,
    offset_minutes: i64,
}

impl Moment {
    fn new(local_millis: i64, offset_minutes: i64) -> Moment {
        let days = local_millis.div_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Moment {
            days,
            year,
            month,
            day,
            millis_of_day: local_millis.rem_euclid(MS_PER_DAY),
            offset_minutes,
        }
    }

    /// The integer value of a component.
    fn value(&self, component: char) -> i64 {
        let hour = self.millis_of_day / 3_600_000;
        match component {
            'Y' => self.year,
            'M' => self.month,
            'D' => self.day,
            'd' => self.days - days_from_civil(self.year, 1, 1) + 1,
            'F' => iso_weekday(self.days),
            'W' => iso_week(self.days).1,
            'X' => iso_week(self.days).0,
            'w' => week_of_month(self.days).1,
            'x' => week_of_month(self.days).0,
            'H' => hour,
            'h' => (hour + 11) % 12 + 1,
            'P' => i64::from(hour >= 12),
            'm' => self.millis_of_day / 60_000 % 60,
            's' => self.millis_of_day / 1000 % 60,
            'f' => self.millis_of_day % 1000,
            _ => 0,
        }
    }
}

fn format_marker(marker: &Marker, moment: &Moment) -> String {
    let value = moment.value(marker.component);
    match &marker.presentation {
        Presentation::Timezone { pattern, zulu } => {
            let zone = format_offset(moment.offset_minutes, pattern, *zulu);
            if marker.component == 'z' {
                format!("GMT{zone}")
            } else {
                zone
            }
        }
        Presentation::Name(case) => {
            let name = match marker.component {
                'M' | 'x' => MONTHS.get((value - 1) as usize).copied().unwrap_or(""),
                'F' => DAYS.get((value - 1) as usize).copied().unwrap_or(""),
                'P' => ["am", "pm"][value as usize & 1],
                _ => return "ISO".to_string(),
            };
            let name: String = match marker.max_width {
                Some(max) => name.chars().take(max).collect(),
                None => name.to_string(),
            };
            apply_case(&name, *case)
        }
        Presentation::Integer(Primary::Decimal(pattern)) if marker.component == 'f' => {
            format_fraction(value, pattern, marker)
        }
        Presentation::Integer(primary) => {
            let primary = widen(primary, marker.min_width, marker.max_width);
            let digits = match marker.component {
                'Y' => truncate_year(value.unsigned_abs(), &primary, marker.max_width),
                _ => value.unsigned_abs().to_string(),
            };
            let sign = if value < 0 { "-" } else { "" };
            format!("{sign}{}", primary.format(&digits, marker.ordinal))
        }
    }
}

/// The pattern adjusted to a width modifier: the minimum width sets the mandatory digits, the maximum (or the
/// pattern's own digit count) the optional ones.
fn widen(primary: &Primary, min_width: Option<usize>, max_width: Option<usize>) -> Primary {
    match (primary, min_width) {
        (Primary::Decimal(pattern), Some(min)) => {
            let total = max_width
                .unwrap_or(pattern.mandatory + pattern.optional)
                .max(min);
            Primary::Decimal(DecimalPattern {
                mandatory: min,
                optional: total - min,
                ..pattern.clone()
            })
        }
        _ => primary.clone(),
    }
}

/// The year modulo 10^N: N the maximum width, else the digit count of a multi-digit pattern.
fn truncate_year(year: u64, primary: &Primary, max_width: Option<usize>) -> String {
    let pattern_digits = match primary {
        Primary::Decimal(p) if p.mandatory + p.optional >= 2 => Some(p.mandatory + p.optional),
        _ => None,
    };
    match max_width.or(pattern_digits) {
        Some(n) if n < 19 => (year % 10u64.pow(n as u32)).to_string(),
        _ => year.to_string(),
    }
}

/// Milliseconds as fraction digits: at least the mandatory (or minimum width) digits, at most the maximum.
fn format_fraction(millis: i64, pattern: &DecimalPattern, marker: &Marker) -> String {
    let min = pattern.mandatory.max(marker.min_width.unwrap_or(0));
    let signs = pattern.mandatory + pattern.optional;
    let max = marker
        .max_width
        .or((signs > 1).then_some(signs))
        .unwrap_or(usize::MAX)
        .max(min);
    let mut digits = format!("{millis:03}").trim_end_matches('0').to_string();
    while digits.len() < min {
        digits.push('0');
    }
    digits.truncate(max);
    let plain = DecimalPattern {
        mandatory: digits.len(),
        optional: 0,
        grouping: Vec::new(),
        ..pattern.clone()
    };
    plain.format(&digits)
}

fn format_offset(minutes: i64, pattern: &str, zulu: bool) -> String {
    if zulu && minutes == 0 {
        return "Z".into();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let (hours, mins) = (minutes.abs() / 60, minutes.abs() % 60);
    let digit_runs: Vec<usize> = pattern
        .split(|c: char| decimal_digit(c).is_none())
        .filter(|run| !run.is_empty())
        .map(|run| run.chars().count())
        .collect();
    let separator: String = pattern
        .chars()
        .filter(|&c| decimal_digit(c).is_none())
        .collect();
    match digit_runs.as_slice() {
        [h, _] => format!("{sign}{hours:0h$}{separator}{mins:02}"),
        [n] if *n > 2 => format!("{sign}{hours:0w$}{mins:02}", w = n - 2),
        [n] if mins == 0 => format!("{sign}{hours:0n$}"),
        [n] => format!("{sign}{hours:0n$}:{mins:02}"),
        _ => format!("{sign}{hours:02}:{mins:02}"),
    }
}

/// A timezone argument such as `+0100`, `-0500` or `0000`, in minutes.
fn parse_offset_argument(text: &str) -> Option<i64> {
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    Some(sign * (hours * 60 + minutes))
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/// Components read from a timestamp.
#[derive(Debug, Default)]
struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    day_of_year: Option<i64>,
    hour: Option<i64>,
    hour12: Option<i64>,
    pm: Option<bool>,
    minute: Option<i64>,
    second: Option<i64>,
    millis: Option<i64>,
    offset: Option<i64>,
}

/// The picture must name a contiguous run of year/month/day (or year/day-of-year) and hour/minute/second/fraction;
/// week-based dates are not supported for parsing.
fn check_components(parts: &[Part]) -> Result<(), Error> {
    let has = |c: char| {
        parts
            .iter()
            .any(|p| matches!(p, Part::Marker(m) if m.component == c))
    };
    let missing = || {
        Error::new(
            "D3136",
            "The date/time picture string is missing specifiers required to parse the timestamp",
        )
    };
    if "WwXx".chars().any(has) {
        return Err(missing());
    }
    let date: &[char] = if has('d') {
        &['Y', 'd']
    } else {
        &['Y', 'M', 'D']
    };
    if has('d') && (has('M') || has('D')) {
        return Err(missing());
    }
    let present: Vec<bool> = date
        .iter()
        .map(|&c| has(c))
        .chain([has('H') || has('h'), has('m'), has('s'), has('f')])
        .collect();
    let first = present.iter().position(|&p| p);
    let last = present.iter().rposition(|&p| p);
    if let (Some(first), Some(last)) = (first, last) {
        if present[first..=last].iter().any(|&p| !p) {
            return Err(missing());
        }
    }
    Ok(())
}

fn parse_with(text: &str, parts: &[Part]) -> Option<Fields> {
    let mut fields = Fields::default();
    let mut rest = text;
    let mut any_marker = false;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Literal(literal) => rest = rest.strip_prefix(literal.as_str())?,
            Part::Marker(marker) => {
                any_marker = true;
                let next_is_marker = matches!(parts.get(i + 1), Some(Part::Marker(_)));
                rest = read_marker(rest, marker, next_is_marker, &mut fields)?;
            }
        }
    }
    (rest.is_empty() && any_marker).then_some(fields)
}

/// Reads one marker's text; returns the rest of the input.
fn read_marker<'a>(
    text: &'a str,
    marker: &Marker,
    adjacent: bool,
    fields: &mut Fields,
) -> Option<&'a str> {
    match &marker.presentation {
        Presentation::Timezone { .. } => {
            let (offset, rest) = read_offset(text)?;
            fields.offset = Some(offset);
            Some(rest)
        }
        Presentation::Name(_) => read_name(text, marker, fields),
        Presentation::Integer(primary) => {
            let (value, rest) = read_integer(text, primary, marker, adjacent)?;
            store(fields, marker.component, value)?;
            Some(rest)
        }
    }
}

fn store(fields: &mut Fields, component: char, value: Value) -> Option<()> {
    let Value::Number(number) = value else {
        if let Value::Fraction(millis) = value {
            fields.millis = Some(millis);
        }
        return Some(());
    };
    if !(0.0..=MAX_COMPONENT).contains(&number) {
        return None;
    }
    let n = number as i64;
    match component {
        'Y' => fields.year = Some(n),
        'M' => fields.month = Some(n),
        'D' => fields.day = Some(n),
        'd' => fields.day_of_year = Some(n),
        'H' => fields.hour = Some(n),
        'h' => fields.hour12 = Some(n),
        'm' => fields.minute = Some(n),
        's' => fields.second = Some(n),
        'f' => fields.millis = Some(n),
        _ => {}
    }
    Some(())
}

enum Value {
    Number(f64),
    /// Fractional seconds, already in milliseconds.
    Fraction(i64),
}

fn read_integer<'a>(
    text: &'a str,
    primary: &Primary,
    marker: &Marker,
    adjacent: bool,
) -> Option<(Value, &'a str)> {
    match primary {
        Primary::Decimal(pattern) => {
            let signs = pattern.mandatory + pattern.optional;
            let max = marker
                .max_width
                .or((signs > 1 || adjacent).then_some(signs.max(1)))
                .unwrap_or(usize::MAX);
            let (digits, mut rest) = take_digits(text, pattern, max)?;
            if marker.component == 'f' {
                let millis: String = digits.chars().chain("000".chars()).take(3).collect();
                return Some((Value::Fraction(millis.parse().ok()?), rest));
            }
            if marker.ordinal {
                let suffix = ordinal_suffix(&digits);
                rest = strip_prefix_ignore_case(rest, suffix).unwrap_or(rest);
            }
            Some((Value::Number(digits.parse().ok()?), rest))
        }
        Primary::Words(_) => {
            let end = words_end(text);
            let value = words::parse(&text[..end])?;
            Some((Value::Number(value.parse().ok()?), &text[end..]))
        }
        Primary::Roman(_) | Primary::Letters(_) => {
            let roman = matches!(primary, Primary::Roman(_));
            let end = text
                .char_indices()
                .find(|&(_, c)| {
                    !(if roman {
                        "ivxlcdmIVXLCDM".contains(c)
                    } else {
                        c.is_ascii_alphabetic()
                    })
                })
                .map_or(text.len(), |(i, _)| i);
            if end == 0 && !roman {
                return None;
            }
            Some((
                Value::Number(primary.parse(&text[..end], false)?),
                &text[end..],
            ))
        }
    }
}

/// Up to `max` digits of the pattern's family (and its separators between digits), as ASCII digits.
fn take_digits<'a>(
    text: &'a str,
    pattern: &DecimalPattern,
    max: usize,
) -> Option<(String, &'a str)> {
    let mut digits = String::new();
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if digits.len() >= max {
            break;
        }
        match decimal_digit(c) {
            Some((zero, value)) if zero == pattern.zero => {
                digits.push(char::from_digit(value, 10)?);
                end = i + c.len_utf8();
            }
            _ if !digits.is_empty() && pattern.grouping.iter().any(|&(_, sep)| sep == c) => {}
            _ => break,
        }
    }
    (!digits.is_empty()).then(|| (digits, &text[end..]))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The byte length of the leading run of number words (with spaces, hyphens, commas and "and" between them).
fn words_end(text: &str) -> usize {
    let mut end = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let word = &text[start..i];
        if word.is_empty() || !words::is_number_word(word) {
            break;
        }
        if !word.eq_ignore_ascii_case("and") {
            end = i;
        }
        while i < bytes.len() && matches!(bytes[i], b' ' | b'-' | b',') {
            i += 1;
        }
    }
    end
}

fn read_name<'a>(text: &'a str, marker: &Marker, fields: &mut Fields) -> Option<&'a str> {
    let names: Vec<&str> = match marker.component {
        'M' | 'x' => MONTHS.to_vec(),
        'F' => DAYS.to_vec(),
        'P' => vec!["am", "pm"],
        _ => vec!["ISO"],
    };
    let (index, rest) =
        match_name(text, &names, None).or_else(|| match_name(text, &names, Some(3)))?;
    match marker.component {
        'M' => fields.month = Some(index as i64 + 1),
        'P' => fields.pm = Some(index == 1),
        _ => {}
    }
    Some(rest)
}

fn match_name<'a>(
    text: &'a str,
    names: &[&str],
    length: Option<usize>,
) -> Option<(usize, &'a str)> {
    names.iter().enumerate().find_map(|(i, name)| {
        let name: String = name.chars().take(length.unwrap_or(usize::MAX)).collect();
        strip_prefix_ignore_case(text, &name).map(|rest| (i, rest))
    })
}

/// `Z`, or an optional `GMT`/`UTC` then a sign, hours and optional minutes (`+05:30`, `+0530`, `-5`).
fn read_offset(text: &str) -> Option<(i64, &str)> {
    if let Some(rest) = text.strip_prefix('Z') {
        return Some((0, rest));
    }
    let text = text
        .strip_prefix("GMT")
        .or_else(|| text.strip_prefix("UTC"))
        .unwrap_or(text);
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let text = &text[1..];
    let digit_count = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let hour_digits = digit_count(text);
    if hour_digits == 0 {
        return None;
    }
    let (hours, minutes, rest) = if hour_digits > 2 {
        let split = hour_digits - 2;
        (
            &text[..split],
            &text[split..hour_digits],
            &text[hour_digits..],
        )
    } else if let Some(after) = text[hour_digits..]
        .strip_prefix(':')
        .filter(|a| digit_count(a) == 2)
    {
        (&text[..hour_digits], &after[..2], &after[2..])
    } else {
        (&text[..hour_digits], "0", &text[hour_digits..])
    };
    let hours: i64 = hours.parse().ok().filter(|&h| h < 100)?;
    let minutes: i64 = minutes.parse().ok()?;
    Some((sign * (hours * 60 + minutes), rest))
}

impl Fields {
    /// Milliseconds since the epoch: components before the first given one are taken from "now" (UTC), those
    /// after it default to their minimum (month and day 1, time 0).
    fn to_millis(&self, now_millis: i64) -> Option<f64> {
        let hour = match (self.hour, self.hour12) {
            (Some(h), _) => Some(h),
            (None, Some(h)) => Some(h % 12 + if self.pm == Some(true) { 12 } else { 0 }),
            _ => None,
        };
        let now = Moment::new(now_millis, 0);
        // slots: year, month, day (or day of year), hour, minute, second, millisecond
        let ordinal = self.day_of_year.is_some();
        let given = if ordinal {
            [
                self.year,
                None,
                self.day_of_year,
                hour,
                self.minute,
                self.second,
                self.millis,
            ]
        } else {
            [
                self.year,
                self.month,
                self.day,
                hour,
                self.minute,
                self.second,
                self.millis,
            ]
        };
        let now_day = if ordinal { now.value('d') } else { now.day };
        let current = [
            now.year,
            now.month,
            now_day,
            now.value('H'),
            now.value('m'),
            now.value('s'),
            now.value('f'),
        ];
        let minimum = [0, 1, 1, 0, 0, 0, 0];
        let first = given.iter().position(Option::is_some)?;
        let slot = |i: usize| given[i].unwrap_or(if i < first { current[i] } else { minimum[i] });
        let days = if ordinal {
            days_from_civil(slot(0), 1, 1) + slot(2) - 1
        } else {
            days_from_civil(slot(0), slot(1), slot(2))
        };
        let millis_of_day = ((slot(3) * 60 + slot(4)) * 60 + slot(5)) * 1000 + slot(6);
        let offset = self.offset.unwrap_or(0) * 60_000;
        Some(days as f64 * MS_PER_DAY as f64 + (millis_of_day - offset) as f64)
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// ISO 8601 as `$toMillis` accepts it: `YYYY[-MM[-DD[Thh:mm[:ss[.f+]][Z|±hh[:mm]|±hhmm]]]]`.
fn parse_iso(text: &str) -> Option<f64> {
    let mut s = Scanner { rest: text };
    let year = s.number(4)?;
    let (mut month, mut day) = (1, 1);
    let (mut hour, mut minute, mut second, mut millis, mut offset) = (0, 0, 0, 0, 0);
    if s.eat('-') {
        month = s.number(2)?;
        if s.eat('-') {
            day = s.number(2)?;
            if s.eat('T') {
                hour = s.number(2)?;
                s.expect(':')?;
                minute = s.number(2)?;
                if s.eat(':') {
                    second = s.number(2)?;
                    if s.eat('.') {
                        let digits = s.digits();
                        if digits.is_empty() {
                            return None;
                        }
                        millis = format!("{digits:0<3}")[..3].parse().ok()?;
                    }
                }
                offset = s.offset()?;
            }
        }
    }
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 24
        && minute < 60
        && second < 60;
    if !s.rest.is_empty() || !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((days * MS_PER_DAY + ((hour * 60 + minute - offset) * 60 + second) * 1000 + millis) as f64)
}

struct Scanner<'a> {
    rest: &'a str,
}

impl Scanner<'_> {
    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, c: char) -> Option<()> {
        self.eat(c).then_some(())
    }

    fn digits(&mut self) -> &str {
        let end = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        let (digits, rest) = self.rest.split_at(end);
        self.rest = rest;
        digits
    }

    /// Exactly `count` ASCII digits.
    fn number(&mut self, count: usize) -> Option<i64> {
        let head = self
            .rest
            .get(..count)
            .filter(|h| h.bytes().all(|b| b.is_ascii_digit()))?;
        self.rest = &self.rest[count..];
        head.parse().ok()
    }

    /// An optional zone designator, in minutes east of UTC.
    fn offset(&mut self) -> Option<i64> {
        if self.rest.is_empty() {
            return Some(0);
        }
        if self.eat('Z') {
            return Some(0);
        }
        let sign = if self.eat('+') {
            1
        } else if self.eat('-') {
            -1
        } else {
            return None;
        };
        let hours = self.number(2)?;
        self.eat(':');
        let minutes = if self.rest.is_empty() {
            0
        } else {
            self.number(2)?
        };
        Some(sign * (hours * 60 + minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_default() {
        assert_eq!(
            from_millis(1509380732935.0, None, None).unwrap(),
            "2017-10-30T16:25:32.935Z"
        );
        assert_eq!(
            from_millis(-1.0, None, None).unwrap(),
            "1969-12-31T23:59:59.999Z"
        );
        assert_eq!(
            to_millis("2017-10-30", None).unwrap(),
            Some(1509321600000.0)
        );
        assert_eq!(to_millis("2017-13-30", None).unwrap_err().code, "D3110");
        assert!(from_millis(f64::NAN, None, None).is_err());
    }

    /// A huge width modifier allocated gigabytes and aborted (found by stepfn-fuzz).
    #[test]
    fn huge_widths_are_an_error() {
        for picture in [
            "[D,429496729]",
            "[D,1-429496729]",
            "[f,*-18446744073709551615]",
        ] {
            let error = from_millis(7.0, Some(picture), None).unwrap_err();
            assert_eq!(error.code, "U1002", "{picture}");
        }
        assert_eq!(from_millis(7.0, Some("[D,2]"), None).unwrap(), "01");
    }

    #[test]
    fn odd_pictures_do_not_panic() {
        for picture in [
            "[",
            "]",
            "[]",
            "[Y,]",
            "[Y,-]",
            "[Y,*-*]",
            "[f,9-1]",
            "[Z:]",
            "[M,0-0]",
            "[Y00000000000000000000001]",
            "[D(]",
            "[Mo]",
            "[Y#]",
        ] {
            let _ = from_millis(1.0e12, Some(picture), Some("+2400"));
            let _ = to_millis("2018-01-01", Some(picture));
        }
    }
}
