#!/usr/bin/env bash
# The screenshots in docs/editors/: the Guizhou policy as the TextMate grammar colours it,
# tokenised by vscode-textmate (the library VS Code uses) and drawn by headless Chromium.
# Not VS Code itself: the colours are the small palette in render-grammar.js.
# Needs `npm ci` here, chromium and fonts-noto-cjk.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${POOL_PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python=python3
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
policy="$root/policies/guizhou_risk_adjustment.pool"
(cd "$root" && "$python" -m compiler.cli fmt --keywords en "$policy" > "$tmp/guizhou.en.pool")
node "$here/test/render-grammar.js" "$policy" 8 52 > "$tmp/zh.html"
node "$here/test/render-grammar.js" "$tmp/guizhou.en.pool" 8 52 > "$tmp/en.html"
mkdir -p "$root/docs/editors"
for lang in zh en; do
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1500,1040 \
    --screenshot="$root/docs/editors/grammar-$lang.png" "file://$tmp/$lang.html" 2>/dev/null
done
echo "wrote docs/editors/grammar-zh.png and grammar-en.png"
