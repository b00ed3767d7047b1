"""Complaints (pengaduan): categories, validation, reference numbers and the legal clocks.

Pure values and functions: no storage, no Qt; the kiosk, the counter, the officer's console and the
central API share them."""
