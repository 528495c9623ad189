#!/usr/bin/env bash
# run_fuzzer.sh BINARY SECONDS WORKDIR SEED_DIR...: runs a libFuzzer target for
# a bounded time (PGPTLS_FUZZ_SECONDS in the environment overrides SECONDS:
# `make fuzz`). Every seed runs first; new inputs go to WORKDIR/corpus (the
# seed folders stay untouched); crash reproducers go to WORKDIR/artifacts and
# fail the test. A fuzzer that outlives its budget by two minutes is killed.
set -eu
binary=$1 seconds=${PGPTLS_FUZZ_SECONDS:-$2} workdir=$3
shift 3
mkdir -p "$workdir/corpus" "$workdir/artifacts"
exec timeout --signal=KILL "$((seconds + 120))" \
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$workdir/artifacts/" "$workdir/corpus" "$@"
