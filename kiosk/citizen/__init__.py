"""Who the citizen is: the NIK's rules and masking (identity documents, no I/O)."""
