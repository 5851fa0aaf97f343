#!/usr/bin/env bash
# Release binary size of the stepfn entry point (the message-pipeline example's binary) against the hand-written
# lambda_runtime baseline (stepfn-bench's handwritten_message_lambda), both under the workspace's release profile
# (strip = true). Works from any directory; honours CARGO_TARGET_DIR.
#
#   bash bench/size.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release -p message-pipeline -p stepfn-bench --bin message-pipeline --bin handwritten_message_lambda

# Where cargo put them: CARGO_TARGET_DIR, a configured build.target-dir, or target/.
target_dir=$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
stepfn_bin="$target_dir/release/message-pipeline"
handwritten_bin="$target_dir/release/handwritten_message_lambda"
stepfn_size=$(wc -c <"$stepfn_bin" | tr -d ' ')
handwritten_size=$(wc -c <"$handwritten_bin" | tr -d ' ')

echo "stepfn      (message-pipeline):           $stepfn_size bytes"
echo "handwritten (handwritten_message_lambda): $handwritten_size bytes"
awk -v s="$stepfn_size" -v h="$handwritten_size" 'BEGIN {
    printf "difference: %+d bytes\n", s - h
    printf "size ratio: %.3f (target <= 1.10)\n", s / h
}'
