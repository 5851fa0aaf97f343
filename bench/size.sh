#!/usr/bin/env bash
# Size of the Lambda binary of the message-pipeline example against the same function written by hand on
# lambda_runtime (stepfn-bench's handwritten_message_lambda), both built the way a cargo-lambda user deploys them:
# `cargo lambda build --release`, which reads the workflow crate's [package.metadata.lambda.build]
# (no_default_features = true, so stepfn's `local` feature, with the local executor, JSONata and the command line,
# is left out) and applies cargo-lambda's release settings (lto = "thin", codegen-units = 1, panic = "abort",
# target-cpu=haswell; the workspace profile's strip = true). `--compiler cargo` links with the system linker
# instead of zig; the code is the same.
#
# The two are built by two cargo-lambda runs: in one cargo build, stepfn-bench (which also depends on stepfn with
# its default features, for the benchmarks) would turn `local` on for message-pipeline too.
#
# Needs cargo-lambda: STEPFN_CARGO_LAMBDA, .tools/venv/bin/cargo-lambda (scripts/test installs it) or PATH.
# Works from any directory; honours CARGO_TARGET_DIR.
#
#   bash bench/size.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo_lambda=${STEPFN_CARGO_LAMBDA:-}
if [ -z "$cargo_lambda" ]; then
  if [ -x .tools/venv/bin/cargo-lambda ]; then
    cargo_lambda=.tools/venv/bin/cargo-lambda
  elif command -v cargo-lambda >/dev/null; then
    cargo_lambda=$(command -v cargo-lambda)
  else
    echo "cargo-lambda not found: run scripts/test (installs it into .tools/venv) or pip install cargo-lambda" >&2
    exit 2
  fi
fi

"$cargo_lambda" lambda build --release --compiler cargo -p message-pipeline
"$cargo_lambda" lambda build --release --compiler cargo -p stepfn-bench --bin handwritten_message_lambda

# Where cargo put them: CARGO_TARGET_DIR, a configured build.target-dir, or target/; cargo-lambda copies each binary
# to <target>/lambda/<binary>/bootstrap.
target_dir=$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
stepfn_bin="$target_dir/lambda/message-pipeline/bootstrap"
handwritten_bin="$target_dir/lambda/handwritten_message_lambda/bootstrap"
stepfn_size=$(wc -c <"$stepfn_bin" | tr -d ' ')
handwritten_size=$(wc -c <"$handwritten_bin" | tr -d ' ')

echo "stepfn      (message-pipeline, as cargo lambda builds it): $stepfn_size bytes"
echo "handwritten (handwritten_message_lambda):                   $handwritten_size bytes"
awk -v s="$stepfn_size" -v h="$handwritten_size" 'BEGIN {
    printf "difference: %+d bytes\n", s - h
    printf "size ratio: %.3f (target <= 1.10)\n", s / h
}'
