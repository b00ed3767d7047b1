"""Applications filed at the kiosk: drafts, their documents (photo checks), and the views a
counter opens. Stored locally first, then synced (:mod:`kiosk.sync`)."""
