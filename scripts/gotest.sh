#!/usr/bin/env bash
# Runs `go test -v` with the given arguments and prints a readable summary: the package result
# lines (ok/FAIL, as go test prints them), every skipped test with its reason, which real
# servers each acceptance suite ran against, and the full output of failing tests. The whole
# verbose log is kept in $FEDCOST_TEST_LOG (default: a temp file).
set -uo pipefail
log=${FEDCOST_TEST_LOG:-$(mktemp -t fedcost-test.XXXXXX)}
go test -v "$@" 2>&1 | tee "$log" | grep -E --line-buffered \
  '^(ok |FAIL|--- FAIL|--- SKIP|panic:)|acceptance: |validate --store ran|freshness: |skipping: |tflint|google provider' \
  | grep -v -E '^\s+--- PASS|acceptance\.go:[0-9]+: acceptance: '
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  echo
  echo "=== failing tests (full log: $log) ==="
  grep -n -E -- '--- FAIL|panic:|FAIL\s' "$log" | head -50
  awk '/^=== RUN/{buf=""} {buf=buf $0 "\n"} /^\s*--- FAIL/{printf "%s", buf; buf=""}' "$log" | tail -n 400
fi
echo "go test: exit $rc (full log: $log)"
exit "$rc"
