"""Paper tickets: the layout and its PDF/raster painters, the printer sinks, faults and reprints.

No Qt here (an import-linter contract): the one sink that needs Qt, the OS spooler, lives in
:mod:`kiosk.ui.system_printer` and is handed in by the UI. See ``docs/printing.md``.
"""
