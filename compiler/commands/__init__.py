"""One module a command; `compiler.cli` loads each only when it is run."""
