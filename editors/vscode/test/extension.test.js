// The client without VS Code: `vscode` and `vscode-languageclient` are stubbed, and the
// test checks that activating the extension starts `pool lsp` with the user's settings.
//   node --test test/extension.test.js
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const Module = require("node:module");
const path = require("node:path");

function load(settings) {
  const started = [];
  const stubs = {
    vscode: {
      workspace: {
        getConfiguration: () => ({ get: (key, fallback) => (key in settings ? settings[key] : fallback) }),
        onDidChangeConfiguration: () => ({ dispose() {} }),
      },
      window: { showErrorMessage() {}, showInformationMessage() {} },
    },
    "vscode-languageclient/node": {
      LanguageClient: class {
        constructor(id, name, server, client) {
          started.push({ id, name, server, client });
        }
        start() {
          return Promise.resolve();
        }
        stop() {
          return Promise.resolve();
        }
      },
    },
  };
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    return request in stubs ? stubs[request] : original.call(this, request, parent, isMain);
  };
  const file = path.join(__dirname, "..", "extension.js");
  delete require.cache[file];
  try {
    const extension = require(file);
    extension.activate({ subscriptions: [] });
  } finally {
    Module._load = original;
  }
  return started;
}

test("activating the extension starts pool lsp for pool files", () => {
  const [client] = load({});
  assert.deepStrictEqual(client.server, { command: "pool", args: ["lsp"] });
  assert.deepStrictEqual(client.client.documentSelector, [{ language: "pool" }]);
  assert.deepStrictEqual(client.client.initializationOptions, { lang: "zh", formatOnSave: true });
});

test("the settings choose the server command, the language and format on save", () => {
  const [client] = load({
    "server.command": ["/opt/pool/.venv/bin/pool", "lsp"],
    language: "en",
    formatOnSave: false,
  });
  assert.deepStrictEqual(client.server, { command: "/opt/pool/.venv/bin/pool", args: ["lsp"] });
  assert.deepStrictEqual(client.client.initializationOptions, { lang: "en", formatOnSave: false });
});

test("package.json contributes the language, its configuration and the grammar", () => {
  const pkg = require(path.join(__dirname, "..", "package.json"));
  assert.strictEqual(pkg.main, "./extension.js");
  assert.deepStrictEqual(pkg.contributes.languages[0].extensions, [".pool"]);
  assert.strictEqual(pkg.contributes.grammars[0].scopeName, "source.pool");
  assert.ok(pkg.dependencies["vscode-languageclient"]);
});
