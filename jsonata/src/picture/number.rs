//! `$formatNumber(number, picture [, options])`: the decimal-format picture strings of XPath F&O 3.1 §4.7
//! (`fn:format-number`), with JSONata's options object standing in for a decimal format (`decimal-separator`,
//! `grouping-separator`, `exponent-separator`, `infinity`, `minus-sign`, `NaN`, `percent`, `per-mille`,
//! `zero-digit`, `digit`, `pattern-separator`; the string properties may be several characters long).
//!
//! A picture is split into at most two sub-pictures (positive; negative), each analysed into a prefix, a mantissa
//! (integer and fractional parts, with grouping positions), an optional exponent and a suffix; the number is then
//! rounded half-to-even on its shortest decimal digits and rendered in the digit family of `zero-digit`.

use serde_json::{Map, Value};

use super::digits::{digit_char, Decimal};
use crate::Error;

/// The decimal format properties in effect.
#[derive(Debug, Clone)]
struct Properties {
    decimal_separator: String,
    grouping_separator: String,
    exponent_separator: String,
    infinity: String,
    minus_sign: String,
    nan: String,
    percent: String,
    per_mille: String,
    zero_digit: char,
    digit: String,
    pattern_separator: String,
}

impl Properties {
    fn new(options: Option<&Map<String, Value>>) -> Properties {
        let mut p = Properties {
            decimal_separator: ".".into(),
            grouping_separator: ",".into(),
            exponent_separator: "e".into(),
            infinity: "Infinity".into(),
            minus_sign: "-".into(),
            nan: "NaN".into(),
            percent: "%".into(),
            per_mille: "\u{2030}".into(),
            zero_digit: '0',
            digit: "#".into(),
            pattern_separator: ";".into(),
        };
        let Some(options) = options else { return p };
        for (key, value) in options {
            let Some(text) = value.as_str().filter(|t| !t.is_empty()) else {
                continue;
            };
            let text = text.to_string();
            match key.as_str() {
                "decimal-separator" => p.decimal_separator = text,
                "grouping-separator" => p.grouping_separator = text,
                "exponent-separator" => p.exponent_separator = text,
                "infinity" => p.infinity = text,
                "minus-sign" => p.minus_sign = text,
                "NaN" => p.nan = text,
                "percent" => p.percent = text,
                "per-mille" => p.per_mille = text,
                "zero-digit" => p.zero_digit = text.chars().next().unwrap_or('0'),
                "digit" => p.digit = text,
                "pattern-separator" => p.pattern_separator = text,
                _ => {}
            }
        }
        p
    }

    /// The digit value of `c` when it belongs to the decimal digit family of `zero-digit`.
    fn digit_value(&self, c: char) -> Option<u32> {
        let (c, zero) = (c as u32, self.zero_digit as u32);
        (c >= zero && c < zero + 10).then(|| c - zero)
    }
}

/// One character (or property string) of a sub-picture.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A member of the decimal digit family (a mandatory digit).
    Digit,
    /// The optional digit sign (`#`).
    Optional,
    DecimalSeparator,
    Grouping,
    /// The exponent separator, when preceded and followed by active characters.
    Exponent,
    Percent,
    PerMille,
    /// Any other character, output as is.
    Passive(String),
}

impl Token {
    fn is_active(&self) -> bool {
        matches!(
            self,
            Token::Digit
                | Token::Optional
                | Token::DecimalSeparator
                | Token::Grouping
                | Token::Exponent
        )
    }

    fn is_digit_sign(&self) -> bool {
        matches!(self, Token::Digit | Token::Optional)
    }
}

/// The analysed form of one sub-picture (F&O §4.7.4).
#[derive(Debug, Clone, Default)]
struct SubPicture {
    prefix: String,
    suffix: String,
    integer_grouping: Vec<usize>,
    regular_grouping: Option<usize>,
    fraction_grouping: Vec<usize>,
    min_integer: usize,
    scaling: usize,
    min_fraction: usize,
    max_fraction: usize,
    min_exponent: usize,
    has_exponent: bool,
    percent: bool,
    per_mille: bool,
}

fn error(code: &str, message: &str) -> Error {
    Error::new(code, message)
}

/// `$formatNumber(value, picture, options)`.
pub fn format_number(
    value: f64,
    picture: &str,
    options: Option<&Map<String, Value>>,
) -> Result<String, Error> {
    let props = Properties::new(options);
    let parts: Vec<&str> = picture.split(props.pattern_separator.as_str()).collect();
    if parts.len() > 2 {
        return Err(error(
            "D3080",
            "The picture string must only contain a maximum of two sub-pictures",
        ));
    }
    let positive = analyse(parts[0], &props)?;
    let negative = match parts.get(1) {
        Some(part) => Some(analyse(part, &props)?),
        None => None,
    };
    if value.is_nan() {
        return Ok(props.nan.clone());
    }
    let (sub, minus) = match (value < 0.0, &negative) {
        (true, Some(negative)) => (negative, ""),
        (true, None) => (&positive, props.minus_sign.as_str()),
        (false, _) => (&positive, ""),
    };
    let body = if value.is_infinite() {
        props.infinity.clone()
    } else {
        render(value, sub, &props)
    };
    Ok(format!("{minus}{}{body}{}", sub.prefix, sub.suffix))
}

/// Splits a sub-picture into tokens, matching the property strings first.
fn tokenize(picture: &str, props: &Properties) -> Vec<Token> {
    let specials: [(&str, Token); 6] = [
        (&props.decimal_separator, Token::DecimalSeparator),
        (&props.grouping_separator, Token::Grouping),
        (&props.percent, Token::Percent),
        (&props.per_mille, Token::PerMille),
        (&props.digit, Token::Optional),
        (&props.exponent_separator, Token::Exponent),
    ];
    let mut tokens = Vec::new();
    let mut rest = picture;
    'outer: while let Some(c) = rest.chars().next() {
        for (text, token) in &specials {
            if let Some(after) = rest.strip_prefix(*text) {
                tokens.push(token.clone());
                rest = after;
                continue 'outer;
            }
        }
        tokens.push(if props.digit_value(c).is_some() {
            Token::Digit
        } else {
            Token::Passive(c.to_string())
        });
        rest = &rest[c.len_utf8()..];
    }
    resolve_exponents(tokens, props)
}

/// An exponent separator is active only between active characters; otherwise it is passive text.
fn resolve_exponents(mut tokens: Vec<Token>, props: &Properties) -> Vec<Token> {
    let is_plain_active = |t: &Token| t.is_active() && *t != Token::Exponent;
    let first = tokens.iter().position(is_plain_active);
    let last = tokens.iter().rposition(is_plain_active);
    let mut seen = false;
    for (i, token) in tokens.iter_mut().enumerate() {
        if *token == Token::Exponent {
            let inside = matches!((first, last), (Some(f), Some(l)) if f < i && i < l);
            if !inside || seen {
                *token = Token::Passive(props.exponent_separator.clone());
            }
            seen |= inside;
        }
    }
    tokens
}

fn render_passive(tokens: &[Token], props: &Properties) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Passive(s) => s.as_str(),
            Token::Percent => props.percent.as_str(),
            Token::PerMille => props.per_mille.as_str(),
            _ => "",
        })
        .collect()
}

fn analyse(picture: &str, props: &Properties) -> Result<SubPicture, Error> {
    let tokens = tokenize(picture, props);
    let (Some(first), Some(last)) = (
        tokens.iter().position(Token::is_active),
        tokens.iter().rposition(Token::is_active),
    ) else {
        return Err(error(
            "D3086",
            "The sub-picture must contain at least one active character",
        ));
    };
    check_counts(&tokens)?;
    let middle = &tokens[first..=last];
    let exponent_at = middle.iter().position(|t| *t == Token::Exponent);
    let mantissa = &middle[..exponent_at.unwrap_or(middle.len())];
    let exponent = exponent_at.map(|i| &middle[i + 1..]).unwrap_or(&[]);
    if !mantissa.iter().any(Token::is_digit_sign) {
        return Err(error(
            "D3085",
            "The mantissa part of a sub-picture must contain at least one digit sign",
        ));
    }
    if middle.iter().any(|t| !t.is_active()) {
        return Err(error(
            "D3086",
            "A passive character must not appear between active characters",
        ));
    }
    let decimal_at = mantissa.iter().position(|t| *t == Token::DecimalSeparator);
    let integer = &mantissa[..decimal_at.unwrap_or(mantissa.len())];
    let fraction = decimal_at.map(|i| &mantissa[i + 1..]).unwrap_or(&[]);
    check_grouping(mantissa, integer)?;
    check_digit_order(integer, fraction)?;
    let percent = tokens.contains(&Token::Percent);
    let per_mille = tokens.contains(&Token::PerMille);
    if exponent_at.is_some() && (percent || per_mille) {
        return Err(error(
            "D3092",
            "A sub-picture with a percent or per-mille sign must not have an exponent",
        ));
    }
    if exponent.iter().any(|t| *t != Token::Digit) {
        return Err(error(
            "D3093",
            "The exponent part of a sub-picture must consist of decimal digits only",
        ));
    }
    let mut sub = SubPicture {
        prefix: render_passive(&tokens[..first], props),
        suffix: render_passive(&tokens[last + 1..], props),
        has_exponent: exponent_at.is_some(),
        min_exponent: exponent.len(),
        percent,
        per_mille,
        ..SubPicture::default()
    };
    size_parts(&mut sub, integer, fraction, decimal_at.is_some());
    Ok(sub)
}

fn check_counts(tokens: &[Token]) -> Result<(), Error> {
    let count = |wanted: Token| tokens.iter().filter(|t| **t == wanted).count();
    if count(Token::DecimalSeparator) > 1 {
        return Err(error(
            "D3081",
            "The sub-picture must not contain more than one decimal separator",
        ));
    }
    if count(Token::Percent) > 1 {
        return Err(error(
            "D3082",
            "The sub-picture must not contain more than one percent character",
        ));
    }
    if count(Token::PerMille) > 1 {
        return Err(error(
            "D3083",
            "The sub-picture must not contain more than one per-mille character",
        ));
    }
    if count(Token::Percent) > 0 && count(Token::PerMille) > 0 {
        return Err(error(
            "D3084",
            "The sub-picture must not contain both a percent and a per-mille character",
        ));
    }
    Ok(())
}

fn check_grouping(mantissa: &[Token], integer: &[Token]) -> Result<(), Error> {
    for pair in mantissa.windows(2) {
        match pair {
            [Token::Grouping, Token::DecimalSeparator]
            | [Token::DecimalSeparator, Token::Grouping] => {
                return Err(error(
                    "D3087",
                    "A grouping separator must not be adjacent to the decimal separator",
                ));
            }
            _ => {}
        }
    }
    if integer.last() == Some(&Token::Grouping) {
        return Err(error(
            "D3088",
            "The integer part must not end with a grouping separator",
        ));
    }
    if mantissa
        .windows(2)
        .any(|pair| pair == [Token::Grouping, Token::Grouping])
    {
        return Err(error(
            "D3089",
            "The sub-picture must not contain two adjacent grouping separators",
        ));
    }
    Ok(())
}

fn check_digit_order(integer: &[Token], fraction: &[Token]) -> Result<(), Error> {
    let digit_sign = |t: &&Token| t.is_digit_sign();
    let mut integer_signs = integer
        .iter()
        .filter(digit_sign)
        .skip_while(|t| **t == Token::Optional);
    if integer_signs.any(|t| *t == Token::Optional) {
        return Err(error(
            "D3090",
            "In the integer part, an optional digit must not follow a mandatory digit",
        ));
    }
    let mut fraction_signs = fraction
        .iter()
        .filter(digit_sign)
        .skip_while(|t| **t == Token::Digit);
    if fraction_signs.any(|t| *t == Token::Digit) {
        return Err(error(
            "D3091",
            "In the fractional part, a mandatory digit must not follow an optional digit",
        ));
    }
    Ok(())
}

/// Grouping positions and the minimum and maximum sizes of the parts, with the adjustments of §4.7.4.
fn size_parts(sub: &mut SubPicture, integer: &[Token], fraction: &[Token], has_decimal: bool) {
    for (i, token) in integer.iter().enumerate() {
        if *token == Token::Grouping {
            sub.integer_grouping
                .push(integer[i..].iter().filter(|t| t.is_digit_sign()).count());
        }
    }
    sub.integer_grouping.sort_unstable();
    sub.regular_grouping = regular_interval(&sub.integer_grouping);
    for (i, token) in fraction.iter().enumerate() {
        if *token == Token::Grouping {
            sub.fraction_grouping
                .push(fraction[..i].iter().filter(|t| t.is_digit_sign()).count());
        }
    }
    let count = |part: &[Token], wanted: &Token| part.iter().filter(|t| *t == wanted).count();
    sub.min_integer = count(integer, &Token::Digit);
    sub.scaling = sub.min_integer;
    sub.min_fraction = count(fraction, &Token::Digit);
    sub.max_fraction = sub.min_fraction + count(fraction, &Token::Optional);
    // no mandatory digit and no decimal separator: show at least one integer digit
    let no_digit = sub.min_integer == 0 && sub.min_fraction == 0;
    if no_digit && !has_decimal && !sub.has_exponent {
        sub.min_integer = 1;
    }
    // no digit at all would be shown: one fractional digit with an exponent, else one integer digit
    if sub.min_integer == 0 && sub.max_fraction == 0 {
        if sub.has_exponent {
            sub.min_fraction = 1;
            sub.max_fraction = 1;
        } else {
            sub.min_integer = 1;
        }
    }
    // "#.00e0" shows "0.23e0", while ".00e0" shows ".23e0"
    if sub.has_exponent && sub.min_integer == 0 && integer.contains(&Token::Optional) {
        sub.min_integer = 1;
    }
}

/// `Some(n)` when the positions are exactly n, 2n, 3n, ...
fn regular_interval(positions: &[usize]) -> Option<usize> {
    let first = *positions.first()?;
    (first > 0
        && positions
            .iter()
            .enumerate()
            .all(|(i, &p)| p == first * (i + 1)))
    .then_some(first)
}

/// The digits, separators and exponent of a finite number (without prefix, suffix or sign).
fn render(value: f64, sub: &SubPicture, props: &Properties) -> String {
    let mut number = Decimal::from_f64(value);
    // percent and per-mille scale exactly, by moving the decimal point
    if !number.is_zero() {
        number.point += if sub.percent {
            2
        } else if sub.per_mille {
            3
        } else {
            0
        };
    }
    let mut exponent = 0i32;
    // with an exponent, the mantissa has `scaling` integer digits (0: it is below 1); rounding may add one
    if sub.has_exponent && !number.is_zero() {
        let scaling = sub.scaling as i32;
        exponent = number.point - scaling;
        number.point = scaling;
        number = number.round(sub.max_fraction as i32);
        if number.point > scaling {
            exponent += number.point - scaling;
            number.point = scaling;
        }
    } else {
        number = number.round(sub.max_fraction as i32);
    }
    let mut out = render_mantissa(&number, sub, props);
    if sub.has_exponent {
        out.push_str(&props.exponent_separator);
        if exponent < 0 {
            out.push_str(&props.minus_sign);
        }
        let digits: Vec<u8> = exponent
            .unsigned_abs()
            .to_string()
            .bytes()
            .map(|b| b - b'0')
            .collect();
        out.push_str(&pad_digits(&digits, sub.min_exponent, props.zero_digit));
    }
    out
}

fn pad_digits(digits: &[u8], min: usize, zero: char) -> String {
    let padding = min.saturating_sub(digits.len());
    let zeros = std::iter::repeat_n(zero, padding);
    zeros
        .chain(digits.iter().map(|&d| digit_char(zero, u32::from(d))))
        .collect()
}

fn render_mantissa(number: &Decimal, sub: &SubPicture, props: &Properties) -> String {
    let zero = props.zero_digit;
    let integer: Vec<char> = pad_digits(&number.integer_digits(), sub.min_integer, zero)
        .chars()
        .collect();
    let mut fraction: Vec<u8> = number.fraction_digits();
    fraction.truncate(sub.max_fraction);
    while fraction.len() < sub.min_fraction {
        fraction.push(0);
    }
    let fraction: Vec<char> = fraction
        .iter()
        .map(|&d| digit_char(zero, u32::from(d)))
        .collect();
    let mut out = group_integer(&integer, sub, &props.grouping_separator);
    if !fraction.is_empty() {
        out.push_str(&props.decimal_separator);
        for (i, c) in fraction.iter().enumerate() {
            if i > 0 && sub.fraction_grouping.contains(&i) {
                out.push_str(&props.grouping_separator);
            }
            out.push(*c);
        }
    }
    if out.is_empty() {
        out.push(zero);
    }
    out
}

fn group_integer(digits: &[char], sub: &SubPicture, separator: &str) -> String {
    let len = digits.len();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        let from_right = len - i;
        let grouped = match sub.regular_grouping {
            Some(n) => from_right.is_multiple_of(n),
            None => sub.integer_grouping.contains(&from_right),
        };
        if i > 0 && grouped {
            out.push_str(separator);
        }
        out.push(*c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(value: f64, picture: &str) -> String {
        format_number(value, picture, None).unwrap_or_else(|e| e.code)
    }

    #[test]
    fn basics() {
        assert_eq!(fmt(12345.6, "#,###.00"), "12,345.60");
        assert_eq!(fmt(-6.0, "000"), "-006");
        assert_eq!(fmt(0.234, "0.0e0"), "2.3e-1");
        assert_eq!(fmt(9.96, "0.0e0"), "1.0e1");
        assert_eq!(fmt(f64::NAN, "0"), "NaN");
        assert_eq!(fmt(f64::NEG_INFINITY, "#0 units"), "-Infinity units");
        assert_eq!(fmt(0.125, "0.00"), "0.12");
        assert_eq!(fmt(5e-324, "0.00"), "0.00");
        assert_eq!(fmt(1e300, "0e0"), "1e300");
    }
}
