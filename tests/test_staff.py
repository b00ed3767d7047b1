"""Staff PINs: slow salted hashes, constant-time checks, lockout, and clear file errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.staff.directory import (
    LockedOut,
    StaffDirectory,
    StaffFileError,
    StaffMember,
    UnknownStaff,
    WrongPin,
    hash_pin,
    verify_pin,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin("1234")


def test_hash_and_verify(pin_hash: str) -> None:
    kind, n, r, p, salt, digest = pin_hash.split("$")
    assert (kind, n, r, p) == ("scrypt", "16384", "8", "1")
    assert salt and digest and "1234" not in pin_hash
    assert verify_pin("1234", pin_hash)


def test_wrong_pin_and_malformed_hash(pin_hash: str) -> None:
    assert not verify_pin("1235", pin_hash)
    assert not verify_pin("", pin_hash)
    assert not verify_pin("1234", "plain$1234")
    assert not verify_pin("1234", "scrypt$x$8$1$AAAA$AAAA")


def test_salt_differs_each_time() -> None:
    first, second = hash_pin("1234"), hash_pin("1234")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_pin("1234", first) and verify_pin("1234", second)


def test_sign_in_and_lockout_with_injected_clock(pin_hash: str) -> None:
    clock = FakeClock()
    staff = StaffDirectory([StaffMember("rina", "Rina", pin_hash), StaffMember("budi", "Budi", pin_hash)],
                           clock=clock)
    assert staff.sign_in("rina", "1234").name == "Rina"
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as wrong:
            staff.sign_in("rina", "0000")
        assert wrong.value.attempts_left == left
    with pytest.raises(LockedOut) as locked:
        staff.sign_in("rina", "0000")  # the fifth wrong PIN locks
    assert locked.value.seconds_left == 60
    clock.now += 30
    with pytest.raises(LockedOut) as locked:
        staff.sign_in("rina", "1234")  # even the right PIN is refused while locked
    assert locked.value.seconds_left == pytest.approx(30)
    assert staff.locked_for("rina") == pytest.approx(30)
    assert staff.sign_in("budi", "1234").id == "budi"  # other accounts are not affected
    clock.now += 31
    assert staff.locked_for("rina") == 0
    assert staff.sign_in("rina", "1234").id == "rina"
    with pytest.raises(WrongPin) as wrong:
        staff.sign_in("rina", "0000")
    assert wrong.value.attempts_left == 4  # the count starts again after the lock


def test_success_resets_the_count(pin_hash: str) -> None:
    staff = StaffDirectory([StaffMember("rina", "Rina", pin_hash)], clock=FakeClock())
    for _ in range(4):
        with pytest.raises(WrongPin):
            staff.sign_in("rina", "9")
    staff.sign_in("rina", "1234")
    with pytest.raises(WrongPin) as wrong:
        staff.sign_in("rina", "9")
    assert wrong.value.attempts_left == 4


def test_unknown_staff(pin_hash: str) -> None:
    with pytest.raises(UnknownStaff):
        StaffDirectory([StaffMember("rina", "Rina", pin_hash)]).sign_in("nobody", "1234")


def test_load_from_toml(tmp_path: Path, pin_hash: str) -> None:
    path = tmp_path / "staff.toml"
    path.write_text(f'[[staff]]\nid = "rina"\nname = "Rina W."\npin_hash = "{pin_hash}"\n\n'
                    f'[[staff]]\nid = "budi"\nname = "Budi"\npin_hash = "{pin_hash}"\n', encoding="utf-8")
    staff = StaffDirectory.load(path)
    assert [m.id for m in staff.members] == ["rina", "budi"]
    assert staff.member("rina").name == "Rina W."


@pytest.mark.parametrize(("body", "message"), [
    ('[[staff]]\nname = "X"\npin_hash = "{h}"\n', "entry 1: 'id' is missing"),
    ('[[staff]]\nid = "a"\npin_hash = "{h}"\n', "entry 1 (id 'a'): 'name' is missing"),
    ('[[staff]]\nid = "a"\nname = "A"\n', "entry 1 (id 'a'): 'pin_hash' is missing"),
    ('[[staff]]\nid = "a"\nname = "A"\npin_hash = "1234"\n', "entry 1 (id 'a'): pin_hash must look like"),
    ('[[staff]]\nid = "a"\nname = "A"\npin_hash = "{h}"\n[[staff]]\nid = "a"\nname = "B"\npin_hash = "{h}"\n',
     "entry 2 (id 'a'): id appears twice"),
    ('[[staff]]\nid = "a/b"\nname = "A"\npin_hash = "{h}"\n', "must not contain '/'"),
    ('[[staff]]\nid = "a"\nname = "A"\npin = "1234"\npin_hash = "{h}"\n', "unknown key(s) pin"),
    ('staff = "x"\n', "must be a list"),
    ('[[staff]\n', "not valid TOML"),
])
def test_bad_file_entries_are_named(tmp_path: Path, pin_hash: str, body: str, message: str) -> None:
    path = tmp_path / "staff.toml"
    path.write_text(body.replace("{h}", pin_hash), encoding="utf-8")
    with pytest.raises(StaffFileError) as error:
        StaffDirectory.load(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StaffFileError, match="cannot be read"):
        StaffDirectory.load(tmp_path / "nope.toml")
