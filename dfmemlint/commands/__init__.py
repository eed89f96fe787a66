"""Subcommands of the command line (each imported only when it runs)."""
