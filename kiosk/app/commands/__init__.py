"""One module per ``kiosk`` subcommand group; each registers its parsers with a handler."""
