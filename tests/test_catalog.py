"""The service catalog: the shipped data, citizen search, and the checks that stop a broken file."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog.services import (
    Catalog,
    CatalogError,
    LocalText,
    default_catalog_path,
    load_catalog,
    parse_catalog,
)

ADMINDUK = {"KTP-EL", "KK", "KIA", "AKTA-LAHIR", "AKTA-MATI", "PINDAH", "PINDAH-DATANG", "IKD"}
HEALTH_AGENCY = "DPMPTSP"
NURSE = {"SIP-PERAWAT-BARU", "SIP-PERAWAT-PERPANJANG", "SIP-PERAWAT-PINDAH"}
MIDWIFE = {"SIP-BIDAN-BARU", "SIP-BIDAN-PERPANJANG", "SIP-BIDAN-PINDAH"}
PHARMACY = {f"{stem}-{kind}" for stem in ("SIPA", "SIPTTK") for kind in ("BARU", "PERPANJANG", "PINDAH")}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_catalog_path())


def codes(services: Any) -> list[str]:
    return [s.code for s in services]


# --- the shipped catalog -------------------------------------------------------------------------

def test_shipped_catalog_is_the_first_phase_of_mpp_digital(catalog: Catalog) -> None:
    assert catalog.version
    assert set(codes(catalog.services_of("DUKCAPIL"))) == ADMINDUK
    assert len(catalog.services_of(HEALTH_AGENCY)) == 31
    assert len(catalog.services) == 39 + 1  # and the information desk (issue 16)
    assert {a.code for a in catalog.agencies} == {"DUKCAPIL", HEALTH_AGENCY, "MPP"}
    assert catalog.desk() is not None and catalog.desk().code == "INFO"


def test_shipped_catalog_says_its_lists_are_to_be_verified() -> None:
    data = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    assert "verif" in data["notes"].lower()


def test_service_codes_are_unique(catalog: Catalog) -> None:
    all_codes = codes(catalog.services)
    assert len(all_codes) == len(set(all_codes))


def test_every_text_is_in_both_languages(catalog: Catalog) -> None:
    texts: list[LocalText] = [a.name for a in catalog.agencies]
    for s in catalog.services:
        texts += [s.name, s.description, *s.requirements]
    for text in texts:
        assert text.id.strip() and text.en.strip(), text


def test_every_service_says_what_to_bring_and_how_to_find_it(catalog: Catalog) -> None:
    for s in catalog.services:
        assert s.requirements, s.code
        assert s.keywords, s.code


def test_adminduk_layout(catalog: Catalog) -> None:
    adminduk = catalog.services_of("DUKCAPIL")
    assert sorted(s.ticket_prefix for s in adminduk) == list("ABCDEFGH")
    for s in adminduk:
        assert s.fee_idr == 0, f"{s.code}: adminduk services are free by law"
        assert set(s.counters) <= {1, 2, 3, 4}, s.code
        assert s.identity_required, s.code


def test_health_licence_layout(catalog: Catalog) -> None:
    for s in catalog.services_of(HEALTH_AGENCY):
        assert s.ticket_prefix in "JKLM", s.code
        assert set(s.counters) <= {5, 6, 7}, s.code
        assert s.identity_required and s.face_check and s.application_form, s.code
    assert {s.ticket_prefix for s in catalog.services if s.code in NURSE | MIDWIFE} == {"K"}
    assert {s.ticket_prefix for s in catalog.services if s.code in PHARMACY} == {"L"}


def test_prefixes_are_not_shared_across_agencies(catalog: Catalog) -> None:
    """A prefix is one number sequence, so two agencies' counters must never pull from the same one."""
    owner: dict[str, str] = {}
    for s in catalog.services:
        assert owner.setdefault(s.ticket_prefix, s.agency) == s.agency, s.code


def test_lookups(catalog: Catalog) -> None:
    assert catalog.service("KK").name.get("en").startswith("Family card")
    assert catalog.agency("DUKCAPIL").name.get("id").startswith("Dinas Kependudukan")
    with pytest.raises(KeyError, match="NOPE"):
        catalog.service("NOPE")
    with pytest.raises(KeyError, match="NOPE"):
        catalog.agency("NOPE")
    assert catalog.services_of("NOPE") == ()


def test_local_text_falls_back_to_indonesian() -> None:
    text = LocalText(id="Akta Kelahiran", en="Birth certificate")
    assert text.get("id") == "Akta Kelahiran"
    assert text.get("en") == "Birth certificate"
    assert text.get("fr") == "Akta Kelahiran"


def test_catalog_module_never_imports_qt() -> None:
    probe = ("import sys, kiosk.catalog.services; "
             "bad = [m for m in sys.modules if m.startswith(('PySide6', 'kiosk.ui'))]; "
             "assert not bad, bad")
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=Path(__file__).resolve().parent.parent)


# --- search --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("query", "top", "exactly"),
    [
        ("ktp", ["KTP-EL"], False),
        ("akta", ["AKTA-LAHIR", "AKTA-MATI"], True),
        ("perawat", sorted(NURSE), False),
        ("nurse", sorted(NURSE), True),
        ("bidan", sorted(MIDWIFE), True),
        ("midwife", sorted(MIDWIFE), True),
        ("apotek", sorted(PHARMACY), True),
        ("kk", ["KK"], False),
        ("perwat", sorted(NURSE), False),
        ("birth", ["AKTA-LAHIR"], False),
        ("death", ["AKTA-MATI"], False),
        ("kia", ["KIA"], False),
        ("ikd", ["IKD"], False),
        ("pindah", ["PINDAH"], False),
        ("datang", ["PINDAH-DATANG"], False),
        ("dokter gigi", ["SIP-DG-BARU", "SIP-DG-PERPANJANG", "SIP-DG-PINDAH"], False),
        ("zzzz", [], True),
    ],
)
def test_search_finds_what_citizens_type(catalog: Catalog, query: str, top: list[str], exactly: bool) -> None:
    found = codes(catalog.search(query))
    assert sorted(found[:len(top)]) == sorted(top), found
    if exactly:
        assert len(found) == len(top), found


def test_search_sip_finds_every_practice_permit_and_nothing_else(catalog: Catalog) -> None:
    assert set(codes(catalog.search("sip"))) == set(codes(catalog.services_of(HEALTH_AGENCY)))


@pytest.mark.parametrize("query", ["KTP-el", "ktp el", "  KTP   EL ", "ktp.el", "ktpel", "KTP–EL"])
def test_search_ignores_case_and_punctuation(catalog: Catalog, query: str) -> None:
    assert codes(catalog.search(query))[0] == "KTP-EL"


def test_search_ignores_accents(catalog: Catalog) -> None:
    assert codes(catalog.search("bídan")) == codes(catalog.search("bidan"))


def test_search_requires_every_word(catalog: Catalog) -> None:
    assert codes(catalog.search("akta lahir")) == ["AKTA-LAHIR"]
    assert codes(catalog.search("perawat perpanjangan"))[0] == "SIP-PERAWAT-PERPANJANG"
    assert catalog.search("akta nurse") == []


def test_search_matches_the_agency_name(catalog: Catalog) -> None:
    assert set(codes(catalog.search("dukcapil"))) == ADMINDUK


def test_empty_search_lists_everything_in_catalog_order(catalog: Catalog) -> None:
    assert catalog.search("") == list(catalog.services)
    assert catalog.search("  - ") == list(catalog.services)


def test_typos_are_tolerated_only_in_longer_words(catalog: Catalog) -> None:
    assert set(codes(catalog.search("apotker"))[:6]) == PHARMACY
    assert catalog.search("bidn") == []  # four letters: too short to guess


def test_search_ranks_whole_words_above_word_starts_above_word_pieces() -> None:
    data = minimal_catalog()
    template = data["services"][0]
    data["services"] = []
    for i, (code, keyword) in enumerate([("PIECE", "kasipa"), ("START", "sipadu"), ("WORD", "sipa")]):
        service = copy.deepcopy(template)
        service.update(code=code, keywords=[keyword], ticket_prefix="ABC"[i])
        data["services"].append(service)
    assert codes(parse_catalog(data, "test").search("sipa")) == ["WORD", "START", "PIECE"]


# --- broken catalogs -----------------------------------------------------------------------------

def minimal_catalog() -> dict[str, Any]:
    return {
        "version": "2026-11-01",
        "agencies": [{"code": "DUKCAPIL", "name": {"id": "Dinas Dukcapil", "en": "Civil registry"},
                      "short_name": {"id": "Dukcapil", "en": "Civil registry"}}],
        "services": [{
            "code": "KTP-EL", "agency": "DUKCAPIL",
            "name": {"id": "KTP Elektronik", "en": "Electronic ID card"},
            "description": {"id": "Membuat KTP-el.", "en": "Get an ID card."},
            "keywords": ["ktp"],
            "requirements": [{"id": "Kartu Keluarga", "en": "Family card"}],
            "fee_idr": 0,
            "sla": {"amount": 1, "unit": "hour"},
            "ticket_prefix": "A",
            "daily_quota": 150,
            "counters": [1, 2],
            "identity_required": True,
            "face_check": True,
            "application_form": False,
            "typical_service_minutes": 8,
        }],
    }


def service0(change: Callable[[dict[str, Any]], object]) -> Callable[[dict[str, Any]], object]:
    return lambda data: change(data["services"][0])


def duplicate_service(data: dict[str, Any]) -> None:
    twin = copy.deepcopy(data["services"][0])
    twin["ticket_prefix"] = "B"
    data["services"].append(twin)


BROKEN: list[tuple[str, Callable[[dict[str, Any]], object], list[str]]] = [
    ("missing key", service0(lambda s: s.pop("daily_quota")), ["services[0]", "missing", "'daily_quota'"]),
    ("bad prefix", service0(lambda s: s.update(ticket_prefix="aa")),
     ["services[0].ticket_prefix must be one uppercase letter, got 'aa'"]),
    ("two-letter prefix", service0(lambda s: s.update(ticket_prefix="AB")), ["ticket_prefix", "'AB'"]),
    ("unknown agency", service0(lambda s: s.update(agency="DINKES")), ["services[0].agency", "'DINKES'"]),
    ("duplicate code", duplicate_service, ["services[1].code", "'KTP-EL'", "unique"]),
    ("unknown key", service0(lambda s: s.update(ticket_prefx="A")),
     ["services[0]", "unknown key 'ticket_prefx'", "did you mean 'ticket_prefix'"]),
    ("unknown top-level key", lambda d: d.update(servises=[]), ["unknown key 'servises'"]),
    ("quota zero", service0(lambda s: s.update(daily_quota=0)), ["services[0].daily_quota", "1 or more"]),
    ("no counters", service0(lambda s: s.update(counters=[])), ["services[0].counters", "at least 1"]),
    ("counter as text", service0(lambda s: s.update(counters=["1"])), ["services[0].counters[0]", "whole number"]),
    ("english missing", service0(lambda s: s["name"].pop("en")), ["services[0].name", "'en'"]),
    ("empty indonesian", service0(lambda s: s["description"].update(id=" ")), ["services[0].description.id", "empty"]),
    ("name not bilingual", service0(lambda s: s.update(name="KTP")), ["services[0].name", "both languages"]),
    ("fee as boolean", service0(lambda s: s.update(fee_idr=True)), ["services[0].fee_idr", "whole number"]),
    ("negative fee", service0(lambda s: s.update(fee_idr=-1)), ["services[0].fee_idr"]),
    ("flag as text", service0(lambda s: s.update(face_check="yes")), ["services[0].face_check", "true or false"]),
    ("bad sla unit", service0(lambda s: s["sla"].update(unit="week")),
     ["services[0].sla.unit", "working_day", "'week'"]),
    ("bad code", service0(lambda s: s.update(code="ktp el")), ["services[0].code", "'ktp el'"]),
    ("requirement not bilingual", service0(lambda s: s.update(requirements=["KK"])),
     ["services[0].requirements[0]", "both languages"]),
    ("no services", lambda d: d.update(services=[]), ["services", "at least 1"]),
    ("no version", lambda d: d.pop("version"), ["missing", "'version'"]),
    ("duplicate agency", lambda d: d["agencies"].append(copy.deepcopy(d["agencies"][0])),
     ["agencies[1].code", "'DUKCAPIL'"]),
]


@pytest.mark.parametrize(("change", "expected"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_catalog_is_refused_with_a_clear_message(
        change: Callable[[dict[str, Any]], object], expected: list[str]) -> None:
    data = minimal_catalog()
    change(data)
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data, "config/services.json")
    message = str(caught.value)
    assert message.startswith("config/services.json: ")
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize("data", [[], "catalog", None, 3])
def test_catalog_must_be_an_object(data: object) -> None:
    with pytest.raises(CatalogError, match=r"^https://api\.example/catalog: the catalog must be"):
        parse_catalog(data, "https://api.example/catalog")


def test_minimal_catalog_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    path.write_text(json.dumps(minimal_catalog()), encoding="utf-8")
    catalog = load_catalog(path)
    assert codes(catalog.services) == ["KTP-EL"]
    assert catalog.service("KTP-EL").counters == (1, 2)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b'{"version": "1",', "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
    ids=["empty", "blank", "invalid json", "not utf-8"],
)
def test_unreadable_catalog_file_is_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "services.json"
    path.write_bytes(content)
    with pytest.raises(CatalogError, match=expected) as caught:
        load_catalog(path)
    assert str(caught.value).startswith(str(path))


def test_missing_catalog_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(CatalogError, match="does not exist") as caught:
        load_catalog(path)
    assert str(path) in str(caught.value)


def test_folder_instead_of_catalog_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="folder"):
        load_catalog(tmp_path)


# --- site counter override -----------------------------------------------------------------------

def test_site_counters_override_the_catalog(catalog: Catalog) -> None:
    site = catalog.with_counters({1: ["KK", "KTP-EL"], 9: ["KTP-EL"], 5: []})
    assert site.service("KTP-EL").counters == (1, 9)
    assert site.service("KK").counters == (1,)
    assert site.service("KIA").counters == catalog.service("KIA").counters
    assert catalog.service("KTP-EL").counters == (1, 2)  # the original is untouched
    assert codes(site.search("ktp"))[0] == "KTP-EL"
    assert codes(site.services) == codes(catalog.services)


def test_site_counters_must_name_known_services(catalog: Catalog) -> None:
    with pytest.raises(CatalogError, match=r"counter 3 .*'KTP-E'.*did you mean 'KTP-EL'"):
        catalog.with_counters({3: ["KTP-E"]})


@pytest.mark.parametrize("counters", [{3: "KTP-EL"}, {0: ["KTP-EL"]}])
def test_site_counters_must_be_well_formed(catalog: Catalog, counters: Any) -> None:
    with pytest.raises(CatalogError, match="site counters"):
        catalog.with_counters(counters)
