"""The satisfaction survey (SKM) on a touchscreen: its pages, shown by the kiosk and, after Finish, by the counter."""
