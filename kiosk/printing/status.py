"""The status address printed as the ticket's QR code, and reading it back from a scanned code.

The address carries a *status token*, not the ticket number (anyone could guess "A-012") nor the
ticket's internal id (the key of the device API): see :mod:`kiosk.queue.status` for the token.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from kiosk.queue.status import is_status_token, status_token

TOKEN_PLACEHOLDER = "{token}"
DEMO_STATUS_URL_TEMPLATE = "http://localhost:8700/v1/status/{token}"


def status_url_template(configured: str, queue_host_url: str) -> str:
    """The template in force: the configured one, else the queue host's own status page."""
    if configured:
        return configured
    if queue_host_url:
        return queue_host_url.rstrip("/") + "/v1/status/{token}"
    return DEMO_STATUS_URL_TEMPLATE


def status_url(template: str, ticket_id: str) -> str:
    if TOKEN_PLACEHOLDER not in template:
        raise ValueError(f"status URL template {template!r} has no {TOKEN_PLACEHOLDER} placeholder")
    return template.replace(TOKEN_PLACEHOLDER, status_token(ticket_id))


def status_token_from_url(url: str) -> str | None:
    """The status token in a scanned QR code, or None when it is not one of our ticket codes.

    Accepts any template's shape: the token as a path segment (``.../status/<token>``) or as a
    ``token=`` query parameter. For the camera's "Cek status": pass the decoded text as it is.
    """
    text = url.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    for value in parse_qs(parts.query).get("token", []):
        if is_status_token(value):
            return value
    for segment in reversed([s for s in parts.path.split("/") if s]):
        if is_status_token(segment):
            return segment
    return None
