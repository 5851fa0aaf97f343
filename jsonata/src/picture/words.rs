//! English number words for the `w`/`W`/`Ww` presentation: "three thousand, seven hundred and thirty-first".
//! Scales go up to trillion; larger values repeat it ("ten billion trillion trillion"), so any digit string works.
//! Parsing accepts cardinal and ordinal words in any case, and "nineteen hundred and eighty-four" style hundreds.

const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: [(u64, &str); 3] = [
    (1_000_000_000, "billion"),
    (1_000_000, "million"),
    (1_000, "thousand"),
];
const TRILLION: u64 = 1_000_000_000_000;

/// Cardinal words for ASCII integer digits.
pub(crate) fn cardinal(digits: &str) -> String {
    let digits = digits.trim_start_matches('0');
    if digits.len() > 12 {
        let (high, low) = digits.split_at(digits.len() - 12);
        let low: u64 = low.parse().unwrap_or(0);
        let mut out = format!("{} trillion", cardinal(high));
        append_rest(&mut out, low);
        return out;
    }
    below_trillion(digits.parse().unwrap_or(0))
}

fn append_rest(out: &mut String, rest: u64) {
    if rest > 0 {
        out.push_str(if rest < 100 { " and " } else { ", " });
        out.push_str(&below_trillion(rest));
    }
}

fn below_trillion(n: u64) -> String {
    if n < 20 {
        return UNITS[n as usize].to_string();
    }
    if n < 100 {
        let (tens, unit) = (n / 10, n % 10);
        return if unit == 0 {
            TENS[tens as usize].into()
        } else {
            format!("{}-{}", TENS[tens as usize], UNITS[unit as usize])
        };
    }
    if n < 1000 {
        let mut out = format!("{} hundred", UNITS[(n / 100) as usize]);
        if !n.is_multiple_of(100) {
            out.push_str(" and ");
            out.push_str(&below_trillion(n % 100));
        }
        return out;
    }
    let (scale, name) = SCALES
        .iter()
        .copied()
        .find(|&(s, _)| n >= s)
        .unwrap_or((1000, "thousand"));
    let mut out = format!("{} {name}", below_trillion(n / scale));
    append_rest(&mut out, n % scale);
    out
}

/// The ordinal form of cardinal words: the last word becomes ordinal ("thirty-four" → "thirty-fourth").
pub(crate) fn ordinal(words: &str) -> String {
    let split = words.rfind([' ', '-']).map(|i| i + 1).unwrap_or(0);
    let (head, last) = words.split_at(split);
    let last = match last {
        "one" => "first".to_string(),
        "two" => "second".into(),
        "three" => "third".into(),
        "five" => "fifth".into(),
        "eight" => "eighth".into(),
        "nine" => "ninth".into(),
        "twelve" => "twelfth".into(),
        w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
        w => format!("{w}th"),
    };
    format!("{head}{last}")
}

/// The cardinal form of one (lower-case) word, if it is an ordinal.
fn cardinal_word(word: &str) -> String {
    match word {
        "first" => "one".into(),
        "second" => "two".into(),
        "third" => "three".into(),
        "fifth" => "five".into(),
        "eighth" => "eight".into(),
        "ninth" => "nine".into(),
        "twelfth" => "twelve".into(),
        w if w.ends_with("ieth") => format!("{}y", &w[..w.len() - 4]),
        w if w.ends_with("th") && w != "zeroth" => w[..w.len() - 2].to_string(),
        "zeroth" => "zero".into(),
        w => w.to_string(),
    }
}

/// The value of one number word (cardinal or ordinal, lower case).
fn word_value(word: &str) -> Option<Word> {
    let word = cardinal_word(word);
    if let Some(i) = UNITS.iter().position(|&u| u == word) {
        return Some(Word::Number(i as u64));
    }
    if let Some(i) = TENS.iter().position(|&t| !t.is_empty() && t == word) {
        return Some(Word::Number(i as u64 * 10));
    }
    match word.as_str() {
        "hundred" => Some(Word::Hundred),
        "trillion" => Some(Word::Trillion),
        _ => SCALES
            .iter()
            .find(|&&(_, name)| name == word)
            .map(|&(scale, _)| Word::Scale(scale)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Word {
    Number(u64),
    Hundred,
    Scale(u64),
    Trillion,
}

/// Whether `word` (any case) is a number word or "and" — used to find where words end in a longer text.
pub(crate) fn is_number_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    lower == "and" || word_value(&lower).is_some()
}

/// Parses number words into ASCII integer digits.
pub(crate) fn parse(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let words: Vec<Word> = lower
        .split(|c: char| c.is_whitespace() || c == '-' || c == ',')
        .filter(|w| !w.is_empty() && *w != "and")
        .map(word_value)
        .collect::<Option<_>>()?;
    if words.is_empty() {
        return None;
    }
    parse_words(&words)
}

/// Segments between "trillion"s, most significant first: each multiplies what precedes it by 10^12 (so
/// "one thousand trillion" and "ten billion trillion trillion" work); iterative, however many there are.
fn parse_words(words: &[Word]) -> Option<String> {
    let mut segments = words.split(|w| *w == Word::Trillion);
    let first = segments.next()?;
    let mut digits = if first.is_empty() {
        "1".to_string()
    } else {
        below_trillion_value(first)?.to_string()
    };
    for segment in segments {
        let low = if segment.is_empty() {
            0
        } else {
            below_trillion_value(segment)?
        };
        if low >= TRILLION {
            return None;
        }
        digits = format!("{digits}{low:012}");
    }
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() {
        "0".to_string()
    } else {
        trimmed.to_string()
    })
}

/// The value of words without "trillion".
fn below_trillion_value(words: &[Word]) -> Option<u64> {
    let (mut total, mut current) = (0u64, 0u64);
    for word in words {
        match *word {
            Word::Number(n) => current = current.checked_add(n)?,
            Word::Hundred => current = current.max(1).checked_mul(100)?,
            Word::Scale(scale) => {
                total = total.checked_add(current.max(1).checked_mul(scale)?)?;
                current = 0;
            }
            Word::Trillion => return None,
        }
    }
    total.checked_add(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for n in [
            0u64,
            7,
            13,
            40,
            99,
            100,
            101,
            999,
            1000,
            1001,
            1100,
            20_000,
            1_000_000,
            123_456_789_012,
        ] {
            let words = cardinal(&n.to_string());
            assert_eq!(parse(&words), Some(n.to_string()), "{words}");
            assert_eq!(parse(&ordinal(&words)), Some(n.to_string()), "{words}");
        }
        assert_eq!(
            cardinal("10000000000000000000000000000000000000000000000"),
            "ten billion trillion trillion trillion"
        );
        assert_eq!(
            parse("nineteen hundred and eighty-four"),
            Some("1984".into())
        );
        assert_eq!(parse("and"), None);
        assert_eq!(
            parse("trillion trillion"),
            Some("1000000000000000000000000".into())
        );
    }
}
