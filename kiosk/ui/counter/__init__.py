"""The clerk's console (call, serve, transfer, no-show, the filed application) and the manager's reports."""
