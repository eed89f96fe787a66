"""The Go memory facts: the GOMEMLIMIT grammar, size units and budget arithmetic."""
