#!/usr/bin/env bash
# Installs what `make test` and `make demo` need beyond Go code, on a fresh
# Debian machine. Idempotent: a package already installed is not installed
# again, and apt-get update runs once, only when something is missing.
# Later stages add their packages to PKGS (tor, redis-server, postgresql,
# chromium).
set -euo pipefail

# tor (ships tor-gencert): crawler/tornet's private Tor network on loopback.
# redis-server: the crawler's shared frontier, tested against a real server.
PKGS=(tor redis-server ${SEMAK_SETUP_PKGS:-})

missing=()
for p in "${PKGS[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: need root to install: ${missing[*]}" >&2
		exit 1
	fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

command -v go >/dev/null || { echo "setup: Go is not on PATH (expected /usr/local/go/bin)" >&2; exit 1; }
go mod download
