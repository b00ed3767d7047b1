"""Identity verification at the reference central API with the real dlib matcher, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_helpers import BIDEN_NIK, FACES, OBAMA_NIK, write_identities

from central_api.app import RunningCentral
from central_api.matcher import IdentityRegister, load_identities, load_matcher
from kiosk.sync.central_client import CentralClient, CentralRejected, CentralUnavailable

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> IdentityRegister:
    matcher = load_matcher()
    assert matcher is not None, "the test extras install dlib-bin and face-recognition-models"
    return IdentityRegister(load_identities(write_identities(tmp_path_factory.mktemp("ids"))), matcher)


@pytest.fixture
def client(tmp_path: Path, register: IdentityRegister) -> Iterator[CentralClient]:
    with RunningCentral(tmp_path / "c.sqlite3", enroll_codes=["id-code-1"], register=register) as server:
        with CentralClient(server.url, None) as made:
            made.enroll("id-code-1")
            yield made


def test_the_same_person_matches_and_another_does_not(client: CentralClient) -> None:
    same = client.verify_identity(OBAMA_NIK, (FACES / "obama2.jpg").read_bytes())
    assert same.matched and same.score >= 0.4 and same.reason == ""
    other = client.verify_identity(BIDEN_NIK, (FACES / "obama2.jpg").read_bytes())
    assert not other.matched and other.score < 0.4 and other.reason == "no_match"
    assert client.verify_identity(BIDEN_NIK, (FACES / "biden2.jpg").read_bytes()).matched


def test_unknown_nik_and_unreadable_photos(client: CentralClient) -> None:
    unknown = client.verify_identity("3171015505990009", (FACES / "obama2.jpg").read_bytes())
    assert unknown == unknown.__class__(matched=False, score=0.0, reason="nik_not_registered")
    with pytest.raises(CentralRejected) as two:
        client.verify_identity(OBAMA_NIK, (FACES / "two_people.jpg").read_bytes())
    assert two.value.status == 422 and two.value.code == "no_face" and "found 2" in two.value.message
    with pytest.raises(CentralRejected) as garbage:
        client.verify_identity(OBAMA_NIK, b"not an image at all")
    assert garbage.value.code == "no_face"


def test_without_the_matcher_the_server_answers_503(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with RunningCentral(tmp_path / "c.sqlite3", enroll_codes=["id-code-1"]) as server:
        with CentralClient(server.url, None) as client:
            client.enroll("id-code-1")
            with pytest.raises(CentralUnavailable, match="503 matcher_unavailable"):
                client.verify_identity(OBAMA_NIK, (FACES / "obama2.jpg").read_bytes())
    assert all(OBAMA_NIK not in r.getMessage() for r in caplog.records)  # NIK only masked in logs


def test_a_wrong_register_entry_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "ids.toml"
    bad.write_text('[[identity]]\nnik = "123"\nphotos = ["x.jpg"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"identity\[0\]\.nik"):
        load_identities(bad)
    bad.write_text(f'[[identity]]\nnik = "{OBAMA_NIK}"\nphotos = ["missing.jpg"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="not found"):
        load_identities(bad)
