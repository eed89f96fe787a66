"""Rules: one module per rule, each with a ``check`` generator (see ``catalog`` for identities)."""
