#!/bin/sh
# Signs the shipped models' statements (models/<id>/statement.json) with the release key, so the bundled
# models go through the same signed-package path as field updates. Run it after changing anything in a
# model folder (ONNX, manifest, card, test vectors); test/models/shipped-statements.test.ts fails until then.
#
#   scripts/sign-shipped-models.sh [RELEASE_KEY] [EXPIRES_DAYS]     (default /work/release-key/signing.key, 1825)
set -eu
key=${1:-/work/release-key/signing.key}
days=${2:-1825}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for manifest in "$root"/models/*/manifest.json; do
  dir=$(dirname "$manifest")
  id=$(basename "$dir")
  rm -f "$dir/statement.json"
  node --import tsx "$root/src/cli.ts" models pack "$dir" --out "$tmp/$id.pkg" >/dev/null
  node --import tsx "$root/src/cli.ts" models sign "$tmp/$id.pkg" --key "$key" --expires-days "$days"
  tar -xOf "$tmp/$id.pkg" statement.json > "$dir/statement.json"
  node --import tsx "$root/src/cli.ts" models pack "$dir" --out "$tmp/$id.check.pkg" | tail -1
done
