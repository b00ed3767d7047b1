"""Running our FastAPI services under uvicorn: shared by the queue host and the reference central API.

Kept apart from :mod:`kiosk.queue.host` so a service can use the server (and the 422 message that
never echoes values) without the queue's routes.
"""

from __future__ import annotations

import threading
import time as wallclock

import uvicorn
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError


def validation_message(exc: RequestValidationError) -> str:
    """What was wrong with a request, naming fields and rules but never the values sent.

    FastAPI's default 422 echoes the values: for our APIs those are NIKs and application answers
    that would end up in the client's log (docs/NOTES.md)."""
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        problems.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    return "; ".join(problems) or "The request is invalid."


def make_server(app: FastAPI, host: str = "127.0.0.1", port: int = 8765) -> uvicorn.Server:
    """A uvicorn server for ``app`` that leaves the app's logging alone; port 0 picks a free one."""
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                            timeout_graceful_shutdown=5, lifespan="on")
    server = uvicorn.Server(config)
    app.state.uvicorn_server = server  # open event streams end when it is told to stop
    return server


def serve(app: FastAPI, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run ``app`` until interrupted (signals are handled only on the main thread)."""
    make_server(app, host, port).run()


class RunningServer:
    """A server running in a background thread: ``url`` to reach it, :meth:`stop` to end it."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0, *, start_timeout: float = 10.0) -> None:
        self.server = make_server(app, host, port)
        self.thread = threading.Thread(target=self.server.run, name=f"queue-host-{host}:{port}")
        self.thread.start()
        deadline = wallclock.monotonic() + start_timeout
        while not self.server.started:
            if not self.thread.is_alive() or wallclock.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the queue host did not start on {host}:{port}")
            wallclock.sleep(0.01)
        bound = self.server.servers[0].sockets[0].getsockname()
        self.host, self.port = bound[0], bound[1]
        self.url = f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise RuntimeError("the queue host did not stop in time")
