"""MPP Kiosk: lobby kiosk, counter console, lobby display and queue host for a Mal Pelayanan Publik."""

__version__ = "0.1.0"
