"""``dfmemlint server``: the language server, from the optional ``lsp`` extra."""

from __future__ import annotations

import click

#: What the lsp extra installs (and what pygls itself needs).
LSP_PACKAGES = frozenset({"pygls", "lsprotocol", "cattrs", "attrs"})
INSTALL_HINT = (
    "Error: dfmemlint server needs the lsp extra (pygls, lsprotocol): "
    "pip install 'dfmemlint[lsp]'"
)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
def server() -> int:
    """Run the language server (LSP over standard input and output)."""
    try:
        from dfmemlint.server.protocol import main
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in LSP_PACKAGES:
            raise
        click.echo(INSTALL_HINT, err=True)
        return 2
    return main()
