"""`pool fmt`: the canonical layout of a policy (compiler.fmt.layout); the driver runs it."""
