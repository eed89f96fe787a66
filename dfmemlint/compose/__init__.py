"""Compose files: the files `docker compose` reads, interpolation, services, their Dockerfiles."""
