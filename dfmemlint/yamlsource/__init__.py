"""YAML read with exact positions, for the formats written in YAML (Kubernetes, Compose)."""
