"""Authoring tools over a checked policy: `pool diff`, `pool graph`, and `pool test`'s
case files and coverage.

Like every backend they receive a CheckedPolicy (through compiler.evaluate);
they never parse or check anything themselves.
"""
