"""Extract: read each monthly export through its contract into the raw schema."""
