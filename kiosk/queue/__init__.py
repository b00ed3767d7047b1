"""Tickets: the engine (numbers, priorities, states, estimates), the client seam (in-process or
HTTP), and the building's queue host (FastAPI, per-device tokens, live events)."""
