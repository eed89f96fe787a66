"""Shell scripts named on the command line: the entrypoint scripts Dockerfiles copy
(:mod:`dfmemlint.shellscript.lint`)."""
