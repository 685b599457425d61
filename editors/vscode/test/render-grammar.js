// Renders a .pool file as HTML coloured by the TextMate grammar, tokenised by
// vscode-textmate and vscode-oniguruma (the libraries VS Code itself uses), so the
// highlighting can be looked at without VS Code:
//   node test/render-grammar.js ../../policies/guizhou_risk_adjustment.pool 1 40 > out.html
// The colours are a small dark palette chosen here (not a VS Code theme file).
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const PALETTE = [
  ["comment", "#6a9955"],
  ["string", "#ce9178"],
  ["storage.type", "#569cd6"],
  ["entity.name", "#dcdcaa"],
  ["keyword.control", "#c586c0"],
  ["keyword.operator.word", "#c586c0"],
  ["keyword.operator", "#d4d4d4"],
  ["keyword", "#4fc1ff"],
  ["constant.language", "#569cd6"],
  ["constant.numeric", "#b5cea8"],
  ["support.type", "#4ec9b0"],
  ["support.function", "#dcdcaa"],
];

function colour(scopes) {
  for (let i = scopes.length - 1; i >= 0; i--) {
    for (const [prefix, hex] of PALETTE) {
      if (scopes[i] === prefix || scopes[i].startsWith(prefix + ".")) return hex;
    }
  }
  return "#d4d4d4";
}

function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

async function main() {
  const [file, first = "1", last = "100000"] = process.argv.slice(2);
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const grammarPath = path.join(__dirname, "..", "syntaxes", "pool.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath);
    },
  });
  const grammar = await registry.loadGrammar("source.pool");
  const lines = fs.readFileSync(file, "utf8").split("\n");
  let state = vsctm.INITIAL;
  const out = [];
  lines.forEach((line, i) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    if (i + 1 < Number(first) || i + 1 > Number(last)) return;
    const spans = result.tokens.map((t) => {
      const text = line.substring(t.startIndex, t.endIndex);
      return `<span style="color:${colour(t.scopes)}">${escape(text)}</span>`;
    });
    out.push(`<span class="n">${String(i + 1).padStart(3)}</span>  ${spans.join("")}`);
  });
  process.stdout.write(`<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#1e1e1e}pre{margin:0;padding:12px 16px;color:#d4d4d4;font:15px/1.5 "Noto Sans Mono CJK SC","Noto Sans CJK SC",monospace}
.n{color:#858585}</style><pre>${out.join("\n")}</pre>\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
