"""``kiosk selftest``: every installation check, then a PNG of every screen of every role (the tour).

Top of the house: it may import anything, and nothing but the command line imports it."""
