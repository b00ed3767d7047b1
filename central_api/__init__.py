"""The reference central API: our executable model of the MPP Digital API (``kiosk central-api``).

For development, demos and tests only; kiosk terminals never import this package (they talk to it
over HTTP through :mod:`kiosk.sync.central_client`). The contract is ``docs/api/central.openapi.json``.
"""
