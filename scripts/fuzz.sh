#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time each and prints how
# many inputs each executed. Usage: scripts/fuzz.sh [FUZZTIME]
# New interesting inputs are minimised for at most FUZZMINIMIZE (default
# 100x): go test's default of 60s per input leaves a 10s run executing
# nothing after its first find.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-10s}
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "== $pkg $target ($fuzztime)"
		log=$(mktemp)
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZMINIMIZE:-100x}" "$pkg" 2>&1 | tee "$log"; then
			echo "FAIL $pkg $target" >>"$summary"
			rm -f "$log"
			continue
		fi
		execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | awk '{print $2}')
		printf '%-45s %-16s %12s\n' "${pkg#github.com/semak/semak/}" "$target" "${execs:-?}" >>"$summary"
		rm -f "$log"
	done
done
echo
printf '%-45s %-16s %12s\n' PACKAGE TARGET EXECS
cat "$summary"
! grep -q '^FAIL' "$summary"
