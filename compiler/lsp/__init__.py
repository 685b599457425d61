"""Editor support: the language server behind `pool lsp`, and the TextMate grammar.

`analysis`, `hover`, `complete` and `actions` know nothing of the protocol: they take
text and 1-based positions and answer in the compiler's own terms (spans, diagnostics),
so they are tested directly. `server` (documents, positions, diagnostics) and `features`
(one handler per request) are the only modules that import pygls; they turn those
answers into LSP messages. `textmate` writes the VS Code grammar from the keyword
table.
"""
