#!/usr/bin/env bash
# Build the VS Code extension as editors/vscode/pool-lang.vsix (install it with
# `code --install-extension editors/vscode/pool-lang.vsix`). Needs Node ≥ 20 and npm.
# The grammar is regenerated from the keyword table first, and the grammar tests run
# on every bundled policy before anything is packaged.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${POOL_PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python=python3
cd "$root"
"$python" -m compiler.lsp.textmate
cd editors/vscode
npm ci --no-audit --no-fund
bash test/run-grammar-tests.sh
npx --no-install vsce package --allow-missing-repository --out pool-lang.vsix
echo "built $(pwd)/pool-lang.vsix"
