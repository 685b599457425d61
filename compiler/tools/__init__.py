"""Authoring tools over a checked policy: `pool diff` and `pool graph`.

Like every backend they receive a CheckedPolicy (through compiler.evaluate);
they never parse or check anything themselves.
"""
