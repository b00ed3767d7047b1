"""ASGI middleware: refuse a request before its body is read (unknown token) or while it is read (too large).

Shared by the queue host and the reference central API. FastAPI reads and parses a body before the
route's dependencies run, so a token checked by a dependency comes too late: an attacker without a
token could make the host hold and parse hundreds of megabytes (issue 21). This middleware sits in
front of the app and, for a request that carries a body:

* asks ``admit(authorization_header)`` first (when given) and answers its refusal without reading
  a byte of the body;
* answers 413 at once when ``Content-Length`` is over the limit;
* for a chunked body, counts the bytes as they arrive and answers 413 as soon as the limit is
  passed; the app then sees the client as gone, and whatever it answers is dropped.

The rest of a refused body is discarded by uvicorn as it arrives, never buffered. A request with
an allowed ``Content-Length`` passes untouched (the server already stops at the length it
declared): the hot path is one pass over the headers, no wrapper.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

Refusal = tuple[int, dict[str, Any], dict[str, str]]
"""An answer given instead of the app's: status, JSON body ``{"error", "message", ...}``, extra headers."""


def too_large(limit: int) -> dict[str, Any]:
    """The 413 body, in the services' one error shape."""
    return {"error": "too_large", "message": f"The body is larger than the {limit} bytes allowed here."}


class BodyLimit:
    """Bodies over ``limit_for(path)`` bytes get 413 before they are parsed; ``admit`` vets the caller first."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int],
                 admit: Callable[[str], Refusal | None] | None = None) -> None:
        self.app, self.limit_for, self.admit = app, limit_for, admit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None
        chunked = False
        authorization = b""
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"authorization":
                authorization = value
        if not chunked and (length is None or length == b"0"):  # no body: nothing to guard
            await self.app(scope, receive, send)
            return
        if self.admit is not None:
            refusal = self.admit(authorization.decode("latin-1"))
            if refusal is not None:
                await send_json(send, *refusal)
                return
        limit = self.limit_for(scope.get("path", ""))
        if not chunked and length is not None:
            if not length.isdigit() or int(length) > limit:
                await send_json(send, 413, too_large(limit))
                return
            await self.app(scope, receive, send)
            return
        await _CountedBody(limit, receive, send).run(self.app, scope)


class _CountedBody:
    """One chunked request: counts what arrives, answers 413 once past ``limit`` and mutes the app."""

    def __init__(self, limit: int, receive: Receive, send: Send) -> None:
        self.limit, self._receive, self._send = limit, receive, send
        self.received = 0
        self.refused = self.answering = False

    async def run(self, app: ASGIApp, scope: Scope) -> None:
        try:
            await app(scope, self.receive, self.send)
        except Exception:
            if not self.refused:  # the app's own failure: the server's error handling answers it
                raise
            # refused: the app only failed because its body was cut off, and 413 was already sent

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.refused = True
                if not self.answering:  # an app that answers before reading its body keeps its answer
                    await send_json(self._send, 413, too_large(self.limit))
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if not self.refused:
            self.answering = True
            await self._send(message)


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    """Answer ``body`` as JSON with ``status`` (and ``headers``) straight on the ASGI channel."""
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})
