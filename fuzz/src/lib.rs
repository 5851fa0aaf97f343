//! A randomized no-panic harness over every parser of stepfn, on stable Rust: JSONPath with filters, intrinsic
//! functions, timestamps, JSONata (parse and evaluate), the whole validator, the executor (compile and run under
//! virtual time with mocks) and the mock file. Cases are mutations of the strings in `shared/conformance` and
//! `shared/jsonata-test-suite`; see `stepfn-fuzz --help` and this crate's README.

pub mod asl;
pub mod corpus;
pub mod mutate;
pub mod report;
pub mod rng;
pub mod targets;
pub mod worker;
