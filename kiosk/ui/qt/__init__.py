"""Qt pieces every role uses: background tasks, theme, widgets, speech, camera view, printing."""
