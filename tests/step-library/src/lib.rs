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

/// The bug of issue 10's trial: a Map's `ItemSelector` writes `targetWidth` for a field the item step reads as
/// `target_width`. It compiles (keys are not types); the test `workflow!` generates reports it.
pub mod misfit {
    use serde::{Deserialize, Serialize};
    use std::convert::Infallible;

    #[derive(Debug, Deserialize, Serialize)]
    pub struct Resize {
        pub key: String,
        pub target_width: u32,
        pub quality: Option<u8>,
    }

    #[stepfn::step]
    pub async fn resize(input: Resize) -> Result<String, Infallible> {
        Ok(format!("{}@{}", input.key, input.target_width))
    }

    stepfn::workflow! {
        pub Thumbnails;
        ResizeAll: Map {
            ItemsPath: "$.images",
            ItemSelector: { "key.$": "$$.Map.Item.Value", "targetWidth.$": "$.width" },
            ItemProcessor: { resize -> end; },
        } -> end;
    }
}
