"""The citizen's touchscreen: one module per step or page, and the window that walks between them."""
