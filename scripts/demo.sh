#!/usr/bin/env bash
# The demo: inspect every valid fixture sample, then show that invalid ones
# are refused with a clear error. Later stages grow this into the full demo
# (snapshots, verification).
set -uo pipefail
cd "$(dirname "$0")/.."
semak=${1:-bin/semak}
for f in fixtures/valid/*; do
	case "$f" in *.md) continue ;; esac
	echo "################ semak sample inspect $f"
	"$semak" sample inspect "$f" || exit 1
	echo
done
echo "################ invalid samples are refused (exit 2, message on stderr)"
for f in fixtures/invalid/*; do
	case "$f" in *.md) continue ;; esac
	if "$semak" sample inspect "$f" >/dev/null 2>/tmp/semak-demo-err; then
		echo "UNEXPECTED: $f was accepted" >&2
		exit 1
	fi
	sed 's/^/  /' /tmp/semak-demo-err
done
rm -f /tmp/semak-demo-err
