"""Fixes: splicing edits into the original bytes, re-reading and re-linting, atomic writes."""
