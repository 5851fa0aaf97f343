//! Bridge to the picture-string functions in `crate::picture` (written separately): the built-ins call these,
//! so the evaluator depends on one narrow interface.

use crate::picture;
use crate::Error;

pub fn format_number(
    value: f64,
    picture: &str,
    options: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<String, Error> {
    picture::format_number(value, picture, options)
}

pub fn format_integer(value: f64, picture: &str) -> Result<String, Error> {
    picture::format_integer(value, picture)
}

pub fn parse_integer(text: &str, picture: &str) -> Result<Option<f64>, Error> {
    picture::parse_integer(text, picture)
}

pub fn format_base(value: f64, radix: Option<f64>) -> Result<String, Error> {
    picture::format_base(value, radix)
}

pub fn from_millis(
    millis: f64,
    picture: Option<&str>,
    timezone: Option<&str>,
) -> Result<String, Error> {
    picture::from_millis(millis, picture, timezone)
}

pub fn to_millis(timestamp: &str, picture: Option<&str>) -> Result<Option<f64>, Error> {
    picture::to_millis(timestamp, picture)
}
