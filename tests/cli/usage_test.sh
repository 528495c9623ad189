#!/usr/bin/env bash
# usage_test.sh PGPTLS: the program's help, version and usage-error contract.
set -u
pgptls=$1
failures=0

# expect CODE PATTERN ARGS...: runs pgptls ARGS, checks the exit code and
# that the combined output matches PATTERN.
expect() {
  local code=$1 pattern=$2
  shift 2
  local out rc
  out=$("$pgptls" "$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$code" ]; then
    echo "FAIL: pgptls $* exited $rc, expected $code"; echo "$out"; failures=$((failures + 1))
  elif ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: pgptls $* output lacks /$pattern/"; echo "$out"; failures=$((failures + 1))
  fi
}

expect 0 "Usage:" --help
expect 0 "^pgptls [0-9]+\.[0-9]+\.[0-9]+" --version
expect 0 "demo" help
expect 0 "Show OpenPGP-authenticated" help demo
expect 0 "sign-statement" help pins
expect 2 "unknown subcommand 'nonsense'" help nonsense
expect 2 "^pgptls: .*see pgptls --help" --no-such-flag
expect 2 "^pgptls: .*see pgptls --help" no-such-command

# A usage error is exactly one line.
lines=$("$pgptls" --no-such-flag 2>&1 | wc -l)
if [ "$lines" -ne 1 ]; then
  echo "FAIL: usage error printed $lines lines"; failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures failed"; exit 1
fi
echo "cli usage: all checks passed"
