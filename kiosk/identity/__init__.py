"""The live face check's identity half: a 1:1 match of the captured face against the central
register (through the central client), the pending-faces store, and the face services built from
the configuration (liveness from :mod:`kiosk.camera` + this match)."""
