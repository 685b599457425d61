"""The typed intermediate representation: frozen attrs classes, each with a source span."""
