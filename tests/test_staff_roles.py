"""Staff roles: a member may be a complaint officer; clerks stay the default; bad roles are named."""

from __future__ import annotations

import pytest

from kiosk.staff.directory import StaffDirectory, StaffFileError, hash_pin, parse_staff

HASH = hash_pin("1234")


def entry(**extra: object) -> dict[str, object]:
    return {"id": "dewi", "name": "Dewi", "pin_hash": HASH, **extra}


def test_roles_default_to_clerk_and_filter_the_directory() -> None:
    members = parse_staff({"staff": [entry(), entry(id="agus", roles=["complaint_officer"]),
                                     entry(id="sri", roles=["clerk", "complaint_officer", "clerk"])]})
    assert [m.roles for m in members] == [("clerk",), ("complaint_officer",), ("clerk", "complaint_officer")]
    staff = StaffDirectory(members, max_attempts=2)
    assert [m.id for m in staff.with_role("clerk").members] == ["dewi", "sri"]
    officers = staff.with_role("complaint_officer")
    assert [m.id for m in officers.members] == ["agus", "sri"]
    assert officers.max_attempts == 2  # the same lockout rules


@pytest.mark.parametrize(("roles", "says"), [(["boss"], r"unknown role\(s\) boss"), ([], "non-empty list"),
                                             ("clerk", "non-empty list")])
def test_bad_roles_name_the_entry(roles: object, says: str) -> None:
    with pytest.raises(StaffFileError, match=says) as caught:
        parse_staff({"staff": [entry(roles=roles)]}, "staff.toml")
    assert "staff.toml: [[staff]] entry 1 (id 'dewi')" in str(caught.value)
