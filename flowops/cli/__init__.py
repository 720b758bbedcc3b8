"""The typer command line: thin wrappers that parse options, call the library, render."""
