"""Entry points: the ``kiosk`` command line and its subcommands (:mod:`kiosk.app.commands`)."""
