"""``dfmemlint server``: a Language Server Protocol server over standard input and output.

``protocol`` wires LSP messages to ``linting`` (one function from an editor's text to findings
and fixes), ``diagnostics`` (findings as diagnostics, byte offsets as UTF-16 positions),
``actions`` (quick fixes, fix all, ignore comments), ``hover`` (values, limits and budgets) and
``settings`` (the editor's settings over configuration files). Needs the ``lsp`` extra
(pygls and lsprotocol); nothing else in dfmemlint imports this package.
"""
