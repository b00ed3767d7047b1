"""Who may do what: the clerks' directory (PINs, counters) and the admin door of a locked kiosk."""
