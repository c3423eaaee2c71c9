"""Thin Typer app: one module per subcommand."""
