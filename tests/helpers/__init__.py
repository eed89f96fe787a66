"""What several test modules share: running the command line, the alerts helpers, the lookup of
external tools (skipped locally, required under CI=true), loading a benchmark script, and sample
inputs taken from issues."""
