#!/usr/bin/env bash
# Builds FerretDB 1.x (a MongoDB-wire-compatible server, SQLite backend) into .tools/ferretdb for tests on machines
# without MongoDB (docs/architecture.md §7). Needs Go and the Go module proxy. Idempotent: does nothing once built.
#
# The module download of v1.24.2 ships an empty build/version/version.txt, which makes the binary panic at start,
# so the source is copied, the file filled in, and the copy built through a `replace` directive.
set -euo pipefail
VERSION=v1.24.2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.tools/ferretdb"
# Output is captured, not piped into grep/head: with pipefail, a reader that stops early kills the writer (SIGPIPE).
built_version() { [ -x "$OUT" ] && "$OUT" --version 2>/dev/null || true; }
case "$(built_version)" in
  *"version: $VERSION"*) echo "ferretdb $VERSION already at $OUT"; exit 0 ;;
esac
command -v go >/dev/null || { echo "Go is needed to build FerretDB (or set MONGODB_URI to a MongoDB server)" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cat > go.mod <<MOD
module ferretdb-build

go 1.22
MOD
# With an explicit version, `go get` resolves FerretDB and its dependencies (go.sum) without asking the proxy for a
# version list (which the proxy reachable from these machines refuses).
go get "github.com/FerretDB/FerretDB/cmd/ferretdb@$VERSION"
SRC="$(go env GOMODCACHE)/github.com/!ferret!d!b/!ferret!d!b@$VERSION"
cp -r "$SRC" "$WORK/src"
chmod -R u+w "$WORK/src"
echo "$VERSION" > "$WORK/src/build/version/version.txt"
go mod edit -replace "github.com/FerretDB/FerretDB=$WORK/src"
mkdir -p "$(dirname "$OUT")"
go build -o "$OUT" github.com/FerretDB/FerretDB/cmd/ferretdb
case "$(built_version)" in
  *"version: $VERSION"*) echo "built ferretdb $VERSION at $OUT" ;;
  *) echo "the FerretDB build at $OUT does not run" >&2; exit 1 ;;
esac
