"""Regional IT's screens: the admin PIN pad and menu, diagnostics, the setup wizard, sync status."""
