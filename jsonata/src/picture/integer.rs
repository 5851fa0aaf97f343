//! `$formatInteger`, `$parseInteger` and `$formatBase`: the integer pictures of XPath F&O 3.1 §4.6
//! (`fn:format-integer`): decimal digit patterns in any Unicode digit family with grouping separators, roman
//! numerals (`I`, `i`), letter sequences (`A`, `a`), English words (`w`, `W`, `Ww`), and the ordinal modifier
//! (`;o`). Parsing reverses each of these. The primary token machinery is shared with the date/time markers.

use super::digits::{decimal_digit, digit_char, Decimal};
use super::words;
use crate::Error;

/// Letter case of words, roman numerals, letters and names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Case {
    Lower,
    Upper,
    Title,
}

/// A decimal digit pattern such as `#,##0` or `001`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecimalPattern {
    /// The zero digit of the pattern's digit family.
    pub zero: char,
    pub mandatory: usize,
    pub optional: usize,
    /// Grouping separators: (number of digit signs to the right, separator).
    pub grouping: Vec<(usize, char)>,
}

/// The primary format token of an integer picture.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Primary {
    Decimal(DecimalPattern),
    Roman(Case),
    Letters(Case),
    Words(Case),
}

/// A parsed integer picture: primary token and whether the `o` (ordinal) modifier is present.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IntegerPicture {
    pub primary: Primary,
    pub ordinal: bool,
}

/// Values above this are shown in decimal rather than as roman numerals (which repeat `M`).
const ROMAN_LIMIT: u64 = 100_000;

/// `$formatInteger(value, picture)`.
pub fn format_integer(value: f64, picture: &str) -> Result<String, Error> {
    let picture = parse_picture(picture)?;
    if !value.is_finite() {
        return Ok(if value.is_nan() {
            "NaN".into()
        } else {
            format!("{}Infinity", sign(value))
        });
    }
    let value = value.floor();
    let digits = Decimal::from_f64(value).integer_text();
    Ok(format!(
        "{}{}",
        sign(value),
        picture.primary.format(&digits, picture.ordinal)
    ))
}

fn sign(value: f64) -> &'static str {
    if value < 0.0 {
        "-"
    } else {
        ""
    }
}

/// `$parseInteger(text, picture)`: `None` when the text does not match the picture.
pub fn parse_integer(text: &str, picture: &str) -> Result<Option<f64>, Error> {
    let picture = parse_picture(picture)?;
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) if !rest.is_empty() => (true, rest),
        _ => (false, text),
    };
    Ok(picture
        .primary
        .parse(body, picture.ordinal)
        .map(|v| if negative { -v } else { v }))
}

/// `$formatBase(value, radix)`: the value rounded half-to-even, in radix 2..=36 (default 10), lower-case digits.
pub fn format_base(value: f64, radix: Option<f64>) -> Result<String, Error> {
    let radix = radix.unwrap_or(10.0).trunc();
    if !(2.0..=36.0).contains(&radix) {
        return Err(Error::new("D3100", format!("The radix of the formatBase function must be between 2 and 36. It was given {radix}")));
    }
    if !value.is_finite() {
        return Ok(if value.is_nan() {
            "NaN".into()
        } else {
            format!("{}Infinity", sign(value))
        });
    }
    let rounded = Decimal::from_f64(value).round(0);
    let magnitude: f64 = rounded.integer_text().parse().unwrap_or(0.0);
    let digits = if magnitude == 0.0 {
        "0".to_string()
    } else {
        to_radix(magnitude, radix as u32)
    };
    Ok(format!(
        "{}{digits}",
        if value < 0.0 && magnitude != 0.0 {
            "-"
        } else {
            ""
        }
    ))
}

/// The exact digits of a non-negative integral `f64` in a radix, by long division of its binary limbs.
fn to_radix(value: f64, radix: u32) -> String {
    let bits = value.to_bits();
    let exponent = ((bits >> 52) & 0x7FF) as i64 - 1075;
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    let (mantissa, shift) = if exponent < 0 {
        (mantissa >> (-exponent).min(63), 0)
    } else {
        (mantissa, exponent as usize)
    };
    // little-endian 32-bit limbs of mantissa << shift
    let mut limbs = vec![0u32; shift / 32 + 3];
    let wide = u128::from(mantissa) << (shift % 32);
    for i in 0..3 {
        limbs[shift / 32 + i] = (wide >> (32 * i)) as u32;
    }
    let mut out = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        let mut remainder = 0u64;
        for limb in limbs.iter_mut().rev() {
            let current = (remainder << 32) | u64::from(*limb);
            *limb = (current / u64::from(radix)) as u32;
            remainder = current % u64::from(radix);
        }
        out.push(char::from_digit(remainder as u32, radix).unwrap_or('?'));
    }
    out.iter().rev().collect()
}

/// Splits `primary;modifier` (at the last `;`) and parses both.
pub(crate) fn parse_picture(picture: &str) -> Result<IntegerPicture, Error> {
    let (token, modifier) = match picture.rsplit_once(';') {
        Some((token, modifier)) if !token.is_empty() => (token, modifier),
        _ => (picture, ""),
    };
    Ok(IntegerPicture {
        primary: parse_primary(token)?,
        ordinal: modifier.starts_with('o'),
    })
}

fn unsupported(token: &str) -> Error {
    Error::new("D3130", format!("Formatting or parsing an integer as a sequence starting with {token} is not supported by this implementation"))
}

/// Recognises the primary format token (`D3130` when unsupported, `D3131` for mixed digit families).
pub(crate) fn parse_primary(token: &str) -> Result<Primary, Error> {
    match token {
        "I" => return Ok(Primary::Roman(Case::Upper)),
        "i" => return Ok(Primary::Roman(Case::Lower)),
        "A" => return Ok(Primary::Letters(Case::Upper)),
        "a" => return Ok(Primary::Letters(Case::Lower)),
        "w" => return Ok(Primary::Words(Case::Lower)),
        "W" => return Ok(Primary::Words(Case::Upper)),
        "Ww" => return Ok(Primary::Words(Case::Title)),
        _ => {}
    }
    parse_decimal_pattern(token).map(Primary::Decimal)
}

fn parse_decimal_pattern(token: &str) -> Result<DecimalPattern, Error> {
    let mut pattern = DecimalPattern {
        zero: '0',
        mandatory: 0,
        optional: 0,
        grouping: Vec::new(),
    };
    let mut family: Option<char> = None;
    let mut separators: Vec<(usize, char)> = Vec::new();
    let mut signs = 0usize;
    for c in token.chars() {
        if c == '#' {
            if pattern.mandatory > 0 {
                return Err(unsupported(token));
            }
            pattern.optional += 1;
            signs += 1;
        } else if let Some((zero, _)) = decimal_digit(c) {
            if family.is_some_and(|f| f != zero) {
                return Err(Error::new(
                    "D3131",
                    "In a decimal digit pattern, all digits must be from the same decimal group",
                ));
            }
            family = Some(zero);
            pattern.mandatory += 1;
            signs += 1;
        } else if c.is_alphanumeric() || signs == 0 {
            return Err(unsupported(token));
        } else {
            separators.push((signs, c));
        }
    }
    let Some(zero) = family else {
        return Err(unsupported(token));
    };
    if separators.last().is_some_and(|&(at, _)| at == signs) {
        return Err(unsupported(token));
    }
    pattern.zero = zero;
    pattern.grouping = separators
        .into_iter()
        .map(|(at, c)| (signs - at, c))
        .collect();
    Ok(pattern)
}

impl DecimalPattern {
    /// `Some((interval, separator))` when the separators are all the same and at n, 2n, 3n, ... from the right.
    fn regular(&self) -> Option<(usize, char)> {
        let mut positions: Vec<usize> = self.grouping.iter().map(|&(p, _)| p).collect();
        positions.sort_unstable();
        let (first, separator) = (*positions.first()?, self.grouping.first()?.1);
        let same = self.grouping.iter().all(|&(_, c)| c == separator);
        let spaced = positions
            .iter()
            .enumerate()
            .all(|(i, &p)| p == first * (i + 1));
        (first > 0 && same && spaced).then_some((first, separator))
    }

    /// ASCII integer digits rendered in the pattern's family, padded and grouped.
    pub fn format(&self, digits: &str) -> String {
        let padded = format!(
            "{}{digits}",
            "0".repeat(self.mandatory.saturating_sub(digits.len()))
        );
        let chars: Vec<char> = padded
            .chars()
            .map(|d| digit_char(self.zero, d.to_digit(10).unwrap_or(0)))
            .collect();
        let regular = self.regular();
        let mut out = String::new();
        for (i, c) in chars.iter().enumerate() {
            let from_right = chars.len() - i;
            let separator = match regular {
                Some((n, sep)) => from_right.is_multiple_of(n).then_some(sep),
                None => self
                    .grouping
                    .iter()
                    .find(|&&(p, _)| p == from_right)
                    .map(|&(_, sep)| sep),
            };
            if let (true, Some(sep)) = (i > 0, separator) {
                out.push(sep);
            }
            out.push(*c);
        }
        out
    }

    /// Reads digits of the family, skipping the pattern's separators; `None` on any other character.
    pub fn parse(&self, text: &str) -> Option<String> {
        let mut digits = String::new();
        for c in text.chars() {
            match decimal_digit(c) {
                Some((zero, value)) if zero == self.zero => {
                    digits.push(char::from_digit(value, 10)?)
                }
                _ if self.grouping.iter().any(|&(_, sep)| sep == c) => {}
                _ => return None,
            }
        }
        (!digits.is_empty()).then_some(digits)
    }
}

/// English ordinal suffix for ASCII integer digits.
pub(crate) fn ordinal_suffix(digits: &str) -> &'static str {
    let tail: u32 = digits[digits.len().saturating_sub(2)..]
        .parse()
        .unwrap_or(0);
    match (tail % 100, tail % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    }
}

pub(crate) fn apply_case(text: &str, case: Case) -> String {
    match case {
        Case::Lower => text.to_lowercase(),
        Case::Upper => text.to_uppercase(),
        Case::Title => {
            // each word capitalised ("Fifty-Five" too), except the joining "and"
            let mut out = String::new();
            let mut start = true;
            for c in text.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                start = c == ' ' || c == '-';
            }
            out.replace(" And ", " and ")
        }
    }
}

impl Primary {
    /// Formats the magnitude given as ASCII integer digits (no sign).
    pub fn format(&self, digits: &str, ordinal: bool) -> String {
        match self {
            Primary::Decimal(pattern) => {
                let suffix = if ordinal { ordinal_suffix(digits) } else { "" };
                format!("{}{suffix}", pattern.format(digits))
            }
            Primary::Roman(case) => match digits.parse::<u64>() {
                Ok(n) if n <= ROMAN_LIMIT => apply_case(&to_roman(n), *case),
                _ => digits.to_string(),
            },
            Primary::Letters(case) => apply_case(&to_letters(digits), *case),
            Primary::Words(case) => {
                let words = words::cardinal(digits);
                apply_case(
                    &if ordinal {
                        words::ordinal(&words)
                    } else {
                        words
                    },
                    *case,
                )
            }
        }
    }

    /// Parses a magnitude (no sign); `None` when the text does not match.
    pub fn parse(&self, text: &str, ordinal: bool) -> Option<f64> {
        let digits = match self {
            Primary::Decimal(pattern) => {
                let body = if ordinal {
                    strip_ordinal_suffix(text)
                } else {
                    text
                };
                pattern.parse(body)?
            }
            Primary::Roman(_) => from_roman(text)?.to_string(),
            Primary::Letters(_) => return from_letters(text),
            Primary::Words(_) => words::parse(text)?,
        };
        digits.parse().ok()
    }
}

fn strip_ordinal_suffix(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    for suffix in ["st", "nd", "rd", "th"] {
        if lower.ends_with(suffix) && text.is_char_boundary(text.len() - 2) {
            return &text[..text.len() - 2];
        }
    }
    text
}

const ROMAN: [(u64, &str); 13] = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
];

fn to_roman(mut n: u64) -> String {
    let mut out = String::new();
    for (value, text) in ROMAN {
        while n >= value {
            out.push_str(text);
            n -= value;
        }
    }
    out
}

fn from_roman(text: &str) -> Option<u64> {
    let values: Vec<u64> = text
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'I' => Some(1),
            'V' => Some(5),
            'X' => Some(10),
            'L' => Some(50),
            'C' => Some(100),
            'D' => Some(500),
            'M' => Some(1000),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let mut total: i64 = 0;
    for (i, &v) in values.iter().enumerate() {
        let v = v as i64;
        let subtract = values.get(i + 1).is_some_and(|&next| next as i64 > v);
        total = if subtract {
            total.checked_sub(v)?
        } else {
            total.checked_add(v)?
        };
    }
    u64::try_from(total).ok()
}

/// Bijective base 26: 1 = a, 26 = z, 27 = aa.
fn to_letters(digits: &str) -> String {
    let mut n: f64 = digits.parse().unwrap_or(0.0);
    let mut out = Vec::new();
    while n >= 1.0 && out.len() < 1000 {
        n -= 1.0;
        let rem = (n % 26.0) as u8;
        out.push(char::from(b'a' + rem));
        n = ((n - f64::from(rem)) / 26.0).floor();
    }
    out.iter().rev().collect()
}

fn from_letters(text: &str) -> Option<f64> {
    let mut n = 0.0;
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if !c.is_ascii_lowercase() {
            return None;
        }
        n = n * 26.0 + f64::from(c as u8 - b'a' + 1);
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_conversion() {
        assert_eq!(format_base(255.0, Some(16.0)).unwrap(), "ff");
        assert_eq!(format_base(-0.4, None).unwrap(), "0");
        assert_eq!(
            format_base(2f64.powi(70), Some(2.0)).unwrap(),
            format!("1{}", "0".repeat(70))
        );
        assert_eq!(format_base(1e300, Some(10.0)).unwrap().len(), 301);
        assert_eq!(format_base(1.0, Some(f64::NAN)).unwrap_err().code, "D3100");
    }

    #[test]
    fn roman_and_letters() {
        assert_eq!(to_roman(1984), "MCMLXXXIV");
        assert_eq!(from_roman("mcmlxxxiv"), Some(1984));
        assert_eq!(to_letters("702"), "zz");
        assert_eq!(from_letters("zz"), Some(702.0));
        assert_eq!(format_integer(1e300, "I").unwrap().len(), 301);
    }
}
