"""The citizen's visit as data: which steps a service needs (the walk through the kiosk), and
the status check of a ticket or application from its QR code. No Qt."""
