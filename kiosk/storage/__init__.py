"""Local persistence: SQLite with versioned migrations, sealing (AES-GCM at rest), data files."""
