// The pool extension: starts `pool lsp` and hands .pool files to it.
// Highlighting comes from the TextMate grammar alone, so it works without the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("pool");
  const [command, ...args] = config.get("server.command", ["pool", "lsp"]);
  const serverOptions = { command, args };
  const clientOptions = {
    documentSelector: [{ language: "pool" }],
    initializationOptions: {
      lang: config.get("language", "zh"),
      formatOnSave: config.get("formatOnSave", true),
    },
  };
  client = new LanguageClient("pool", "pool language server", serverOptions, clientOptions);
  client.start().catch((err) => {
    vscode.window.showErrorMessage(
      `无法启动 pool 语言服务(${command}):${err.message}。请安装 pip install 'pool-lang[lsp]',或设置 pool.server.command。`
    );
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("pool")) {
        vscode.window.showInformationMessage("pool 设置已更改,重新加载窗口后生效 / Reload the window to apply the pool settings.");
      }
    })
  );
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
