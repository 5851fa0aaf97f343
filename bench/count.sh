#!/usr/bin/env bash
# Instructions per invocation of the stepfn entry point, of the hand-written handler, and of each step of the
# breakdown in between (see examples/invoke_count.rs), counted by valgrind's cachegrind: unlike timings, the counts do
# not move with the machine's load. Needs valgrind (`apt-get install valgrind`).
#
#   bash bench/count.sh [N]        # N invocations per variant and event, default 2000
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v valgrind >/dev/null || { echo "count.sh needs valgrind (apt-get install valgrind)" >&2; exit 1; }

n="${1:-2000}"
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --release -p stepfn-bench --example invoke_count
bin="$target_dir/release/examples/invoke_count"

count() { # VARIANT EVENT N -> instructions executed
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 |
        awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
}

variants=(handwritten plain context path_to_error_only path_to_error catch_unwind box invoke stepfn)
for event in seed 4KiB; do
    base=$(count none "$event" "$n")
    declare -A per=()
    for variant in "${variants[@]}"; do
        per[$variant]=$(( ($(count "$variant" "$event" "$n") - base) / n ))
    done
    echo "event $event: instructions per invocation (N=$n)"
    for variant in "${variants[@]}"; do
        awk -v v="$variant" -v c="${per[$variant]}" -v h="${per[handwritten]}" \
            'BEGIN { printf "  %-20s %8d  %.3f x handwritten\n", v, c, c / h }'
    done
    unset per
done
