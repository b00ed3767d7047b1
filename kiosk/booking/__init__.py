"""Booked visits (MPP Digital's online bookings): the offline-verifiable booking code and the check-in rules.

Pure values and functions: no storage, no Qt; the queue host, the central API and the kiosk share them."""
