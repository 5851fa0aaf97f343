//! A library of steps: `pub` steps can be named by path from a `workflow!` in another crate.

use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Message {
    pub message: String,
}

/// Steps grouped in a module, as a library would.
pub mod text {
    use super::{Infallible, Message};

    #[stepfn::step]
    pub async fn uppercase_message(input: Message) -> Result<Message, Infallible> {
        Ok(Message {
            message: input.message.to_uppercase(),
        })
    }

    #[stepfn::step(name = "Add exclamation")]
    pub async fn exclaim(input: Message) -> Result<Message, Infallible> {
        Ok(Message {
            message: format!("{}!", input.message),
        })
    }
}

/// A step at the crate root, with the same function name as one in `text` would have.
#[stepfn::step]
pub async fn word_count(input: Message) -> Result<usize, Infallible> {
    Ok(input.message.split_whitespace().count())
}
