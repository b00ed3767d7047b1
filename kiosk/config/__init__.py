"""The site configuration: its schema declared once (types, defaults, limits, renamed keys) and
the writer of ``site.toml``."""
