"""Dockerfiles read as BuildKit reads them: instructions, words, variables, stages and settings."""
