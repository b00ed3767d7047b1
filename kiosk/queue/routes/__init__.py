"""The queue host's HTTP routes, one module per concern; :func:`kiosk.queue.host.create_app` joins them.

Each module has ``router(host)`` building its :class:`fastapi.APIRouter` over the app's
:class:`~kiosk.queue.routes.context.HostContext` (engine, event hub, status index): handlers close
over it instead of asking for it per request (a dependency costs CPU on every call; bench/README.md).
"""
