"""The queue host's API description (docs/api/queue.openapi.json), with examples from a real session.

Apart from :mod:`kiosk.queue.host` because the examples are recorded by running the host
(:mod:`kiosk.queue.api_examples`): the host does not need to know about them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.queue.api_examples import add_examples, recorded_examples
from kiosk.queue.host import create_app


def openapi_document(*, examples: bool = True) -> dict[str, Any]:
    """The API description, with request/answer examples recorded from a real session on loopback."""
    app = create_app(engine=None, tokens={})  # type: ignore[arg-type]  # describing needs no engine
    document = app.openapi()
    if examples:
        add_examples(document, recorded_examples())
    return document


def write_openapi(path: Path) -> None:
    """Write the OpenAPI description of the API to ``path`` (stable key order, trailing newline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
