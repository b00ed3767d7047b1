"""Qt only, split by role (kiosk, counter, board, admin) over shared Qt pieces (:mod:`kiosk.ui.qt`).

Screens show and ask; every rule and every store or client comes from below, handed in by
:mod:`kiosk.ui.app` from the composition root (:mod:`kiosk.core`)."""
