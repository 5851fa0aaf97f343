//! Picture-string formatting and parsing (XPath/XQuery F&O 3.1 pictures, as JSONata uses them): `$formatNumber`,
//! `$formatInteger`, `$parseInteger`, `$formatBase`, `$fromMillis`, `$toMillis`.
//!
//! Written from the specifications (JSONata docs; F&O 3.1 §4.6 `fn:format-integer`, §4.7 `fn:format-number`, §9.8
//! `fn:format-dateTime`). Errors carry JSONata's codes (`D3080`-`D3093`, `D3100`, `D3110`, `D3130`-`D3136`). Numbers
//! are `f64`, as in JSONata; no input makes these functions panic.
//!
//! Layout: `number` (format-number), `integer` (format/parse-integer, radix), `words` (English number words),
//! `datetime` (date/time pictures, both ways), `calendar` (day-number arithmetic), `digits` (digit families and
//! exact decimal rounding).

mod calendar;
mod datetime;
mod digits;
mod integer;
mod number;
mod words;

pub use datetime::{from_millis, to_millis, to_millis_at};
pub use integer::{format_base, format_integer, parse_integer};
pub use number::format_number;
