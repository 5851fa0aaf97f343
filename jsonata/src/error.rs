//! The one error type of the crate: a JSONata error code (e.g. `T2001`), a message, and where in the expression
//! text (byte offset) it arose when known. Codes follow the reference implementation so callers can match on them.

use std::fmt;

/// A JSONata parse or evaluation error.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The JSONata error code, e.g. `"S0201"`, `"T2001"`, `"D3001"`.
    pub code: String,
    /// Human-readable description.
    pub message: String,
    /// Byte offset in the expression text, when known.
    pub position: Option<usize>,
}

impl Error {
    /// An error with a code and a message, without position.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Error {
        Error {
            code: code.into(),
            message: message.into(),
            position: None,
        }
    }

    /// The same error, at a position (kept if one is already set).
    pub fn at(mut self, position: usize) -> Error {
        if self.position.is_none() {
            self.position = Some(position);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{} at {}: {}", self.code, p, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for Error {}
