"""Installation: the first-run setup actions and the diagnostics checks (UI-free)."""
