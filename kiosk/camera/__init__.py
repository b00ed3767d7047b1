"""The camera and what it sees: frame sources, face analysis and liveness, QR decoding, the models."""
