"""The parsing layer: source text → IR module. The only package that imports lark."""

from __future__ import annotations

from compiler.diagnostics import Diagnostic
from compiler.ir.nodes import Module
from compiler.parsing.lower import lower
from compiler.parsing.parser import parse_tree
from compiler.source import SourceFile


def parse_module(source: SourceFile) -> tuple[Module | None, list[Diagnostic]]:
    tree, diags = parse_tree(source)
    if tree is None:
        return None, diags
    module, lower_diags = lower(tree, source)
    return module, diags + lower_diags
