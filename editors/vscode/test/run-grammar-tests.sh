#!/usr/bin/env bash
# Grammar tests: every bundled policy and stdlib module, as written and with its keywords in
# English, becomes a vscode-tmgrammar-test case asserting, token by token, the scope the
# parser's reading implies (keywords coloured as keywords, names never, strings, numbers,
# dates, comments). Needs `npm ci` in editors/vscode first.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${POOL_PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python=python3
rm -rf "$here/test/generated"
cd "$root"
"$python" -m compiler.lsp.textmate --check
"$python" -m compiler.lsp.textmate --cases "$here/test/generated" policies/*.pool stdlib/*.pool stdlib/regions/*.pool
cd "$here"
npx --no-install vscode-tmgrammar-test --compact -g syntaxes/pool.tmLanguage.json 'test/generated/*.test.pool'
