#!/usr/bin/env bash
# Runs the benchmarks and prints a table. Figures that matter are ratios
# measured in the same run (the machine is noisy): e.g. intake against a bare
# encoding/csv read of the same file. BENCHTIME (default 1x) and BENCH (a
# -bench pattern, default all) can be set.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "raw output goes to stderr; the table follows" >&2
go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-1x}" -benchmem ./... 2>&1 | go run ./internal/benchtable
