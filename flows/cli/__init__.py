"""The command line: Typer commands, thin over the library; output formatting."""
