"""The queue host's list of terminals: which bearer token is which device, and what it may do.

Regional IT keeps it in a small TOML file next to the site config (path in ``[queue_host]
devices_file``), one table per device; the host refuses to start with a message naming the entry
when a token is short, repeated, or a role is unknown.

    [[device]]
    id = "kiosk-01"
    role = "kiosk"        # kiosk | counter | display | admin
    token = "…at least 24 random characters…"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

DeviceRole = Literal["kiosk", "counter", "display", "admin"]
MIN_TOKEN_LENGTH = 24


class DevicesError(Exception):
    """The devices file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Device:
    id: str
    role: DeviceRole
    token: str


def load_devices(path: Path) -> list[Device]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DevicesError(f"{path}: file not found (set [queue_host] devices_file)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DevicesError(f"{path}: cannot be read as TOML ({exc})") from None
    entries = data.get("device")
    if not isinstance(entries, list) or not entries:
        raise DevicesError(f"{path}: no [[device]] tables; every terminal needs one")
    devices, seen_tokens, seen_ids = [], set(), set()
    for i, entry in enumerate(entries):
        where = f"{path}: device[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"id", "role", "token"}:
            raise DevicesError(f"{where}: needs exactly the keys id, role and token")
        device_id, role, token = entry["id"], entry["role"], entry["token"]
        if not isinstance(device_id, str) or not device_id or device_id in seen_ids:
            raise DevicesError(f"{where}.id: must be a unique, non-empty name")
        if role not in get_args(DeviceRole):
            raise DevicesError(f"{where}.role: {role!r} is not one of {', '.join(get_args(DeviceRole))}")
        if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
            raise DevicesError(f"{where}.token: must be at least {MIN_TOKEN_LENGTH} characters "
                               "(generate one: python -c 'import secrets; print(secrets.token_urlsafe(24))')")
        if token in seen_tokens:
            raise DevicesError(f"{where}.token: the same token is given to two devices")
        seen_ids.add(device_id)
        seen_tokens.add(token)
        devices.append(Device(device_id, role, token))
    return devices
