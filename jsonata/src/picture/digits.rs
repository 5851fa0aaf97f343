//! Shared helpers for the picture functions: Unicode decimal digit families and an exact decimal view of an `f64`
//! (its shortest round-trip digits), rounded half-to-even at a decimal position as `fn:round-half-to-even` does.

/// The zero digits of the Unicode decimal digit families (general category Nd); each family is the ten code points
/// starting at its zero.
const ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The zero of the decimal digit family `c` belongs to, and its digit value.
pub(crate) fn decimal_digit(c: char) -> Option<(char, u32)> {
    let code = c as u32;
    ZEROS
        .iter()
        .find(|&&zero| code >= zero && code < zero + 10)
        .and_then(|&zero| char::from_u32(zero).map(|z| (z, code - zero)))
}

/// The digit `value` (0..=9) in the family starting at `zero` (any character: JSONata allows e.g. `A` as zero).
pub(crate) fn digit_char(zero: char, value: u32) -> char {
    char::from_u32(zero as u32 + value).unwrap_or('?')
}

/// A non-negative decimal number: `0.d1 d2 d3 ... × 10^point`, digits without leading or trailing zeros
/// (empty for zero).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decimal {
    pub digits: Vec<u8>,
    pub point: i32,
}

impl Decimal {
    /// The absolute value of a finite `f64`, by its shortest round-trip decimal digits.
    pub fn from_f64(value: f64) -> Decimal {
        let text = format!("{:e}", value.abs());
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let digits: Vec<u8> = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        Decimal {
            digits,
            point: exponent + 1,
        }
        .normalized()
    }

    fn normalized(mut self) -> Decimal {
        let leading = self.digits.iter().take_while(|&&d| d == 0).count();
        self.digits.drain(..leading);
        self.point -= leading as i32;
        while self.digits.last() == Some(&0) {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            self.point = 0;
        }
        self
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Rounded half-to-even to `places` digits after the decimal point (negative: to tens, hundreds...).
    pub fn round(&self, places: i32) -> Decimal {
        let keep = self.point.saturating_add(places);
        if keep >= self.digits.len() as i32 {
            return self.clone();
        }
        if keep < 0 {
            return Decimal {
                digits: Vec::new(),
                point: 0,
            };
        }
        let keep = keep as usize;
        let mut digits = self.digits[..keep].to_vec();
        let next = self.digits[keep];
        let rest_nonzero = self.digits[keep + 1..].iter().any(|&d| d != 0);
        let last_odd = digits.last().is_some_and(|d| d % 2 == 1);
        let up = next > 5 || (next == 5 && (rest_nonzero || last_odd));
        let mut point = self.point;
        if up {
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, 1);
                    point += 1;
                    break;
                }
                i -= 1;
                if digits[i] == 9 {
                    digits[i] = 0;
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
        Decimal { digits, point }.normalized()
    }

    /// The digits of the integer part (at least "0"), as ASCII digit values.
    pub fn integer_digits(&self) -> Vec<u8> {
        if self.point <= 0 {
            return Vec::new();
        }
        let point = self.point as usize;
        (0..point)
            .map(|i| self.digits.get(i).copied().unwrap_or(0))
            .collect()
    }

    /// The digits after the decimal point, without trailing zeros.
    pub fn fraction_digits(&self) -> Vec<u8> {
        let mut out = vec![0; (-self.point).max(0) as usize];
        let start = self.point.max(0) as usize;
        out.extend(self.digits.iter().skip(start));
        out
    }

    /// The integer part as decimal text ("0" for none).
    pub fn integer_text(&self) -> String {
        let digits = self.integer_digits();
        if digits.is_empty() {
            return "0".to_string();
        }
        digits.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_round_trip_and_rounding() {
        let d = Decimal::from_f64(1234.5678);
        assert_eq!(d.digits, vec![1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(d.point, 4);
        assert_eq!(
            d.round(2),
            Decimal {
                digits: vec![1, 2, 3, 4, 5, 7],
                point: 4
            }
        );
        assert_eq!(
            Decimal::from_f64(0.125).round(2).fraction_digits(),
            vec![1, 2]
        );
        assert_eq!(Decimal::from_f64(9.99).round(1).integer_text(), "10");
        assert_eq!(Decimal::from_f64(0.001).fraction_digits(), vec![0, 0, 1]);
        assert!(Decimal::from_f64(0.0).is_zero());
        assert_eq!(
            Decimal::from_f64(1e20).integer_text(),
            "100000000000000000000"
        );
    }

    #[test]
    fn digit_families() {
        assert_eq!(decimal_digit('7'), Some(('0', 7)));
        assert_eq!(decimal_digit('١'), Some(('٠', 1)));
        assert_eq!(decimal_digit('a'), None);
    }
}
