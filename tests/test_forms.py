"""Application forms as data: the shipped file matches the catalog, a broken file names the place,
and every field type accepts and refuses what a clerk would."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from kiosk.catalog.forms import (
    Field,
    FormsError,
    catalog_problems,
    check_form,
    check_value,
    default_forms_path,
    display_value,
    load_forms,
    parse_forms,
)
from kiosk.catalog.services import LocalText, default_catalog_path, load_catalog

TODAY = date(2026, 11, 23)
ADMINDUK = ("KTP-EL", "KK", "KIA", "AKTA-LAHIR", "AKTA-MATI", "PINDAH", "PINDAH-DATANG", "IKD")


def raw() -> dict:
    return json.loads(default_forms_path().read_text(encoding="utf-8"))


def test_every_form_is_for_a_real_service_and_every_flagged_service_has_one() -> None:
    forms = load_forms()
    catalog = load_catalog(default_catalog_path())
    assert catalog_problems(forms, catalog) == []
    flagged = {s.code for s in catalog.services if s.application_form}
    assert flagged <= set(forms.forms)
    # KTP-el (biometrics are recorded at the counter) and IKD (activated in the citizen's own app)
    # have no form: an unused form only drifts from the rules (docs/catalog-sources.md).
    assert set(ADMINDUK) - set(forms.forms) == {"KTP-EL", "IKD"}
    assert not catalog.service("KTP-EL").application_form and not catalog.service("IKD").application_form


def test_catalog_check_names_a_stray_form_and_a_missing_one() -> None:
    data = raw()
    data["forms"]["KTP-ELL"] = data["forms"].pop("KK")
    problems = catalog_problems(parse_forms(data, "forms.json"), load_catalog(default_catalog_path()))
    assert any("'KTP-ELL'" in p and "did you mean 'KTP-EL'" in p for p in problems)
    assert any("'KK' asks for an application form" in p for p in problems)


def test_health_worker_forms_ask_for_the_str_prefilled_and_the_practice_address() -> None:
    forms = load_forms()
    for code in ("SIP-DU-BARU", "SIP-PERAWAT-PERPANJANG", "SIPA-PINDAH", "SIP-GIZI"):
        form = forms.form_for(code)
        assert form is not None
        assert form.field("str_number").prefill == "registration_number"
        assert form.field("practice_address").required
        assert "ktp" in [d.kind for d in form.documents]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["forms"]["KK"]["fields"][1].update(tpye="text"), r"forms\.KK\.fields\[1\] has unknown key 'tpye'"),
    (lambda d: d["forms"]["KK"]["fields"][0].update(type="dropdown"), r"forms\.KK\.fields\[0\]\.type must be one of"),
    (lambda d: d["forms"]["KK"]["fields"][2].update(max_length=0),
     r"forms\.KK\.fields\[2\]\.max_length must be between"),
    (lambda d: d["forms"]["KK"]["fields"][2].update(min_length=500), r"min_length \(500\) is more than max_length"),
    (lambda d: d["forms"]["KK"]["fields"][0]["choices"].pop(),
     r"forms\.KK\.fields\[6\]\.ask_if\.in 'replace' is not one of the choices of 'reason'"),
    (lambda d: d["forms"]["KK"]["fields"][0].update(choices=[d["forms"]["KK"]["fields"][0]["choices"][0]]),
     r"choices must offer at least 2"),
    (lambda d: d["forms"]["KK"]["fields"].append(dict(d["forms"]["KK"]["fields"][1])),
     r"uses the field id 'head_name' twice"),
    (lambda d: d["forms"]["KK"]["documents"][0].update(count=9), r"documents\[0\]\.count must be between 1 and 5"),
    (lambda d: d["forms"]["KK"]["fields"][1]["label"].pop("en"), r"fields\[1\]\.label is missing the key 'en'"),
    (lambda d: d["forms"]["SIP-DU-BARU"].update(template="sip_neww"), r"did you mean 'sip_new'"),
    (lambda d: d["forms"]["KK"]["fields"][1].update(prefill="registration_number"),
     r"can only prefill a 'registration'"),
    (lambda d: d["forms"]["KK"]["fields"][1].update(when="past"), r"only a 'date' field has 'when'"),
    (lambda d: d.pop("forms"), r"the file is missing the key 'forms'"),
])
def test_a_broken_forms_file_names_the_file_and_the_place(tmp_path: Path, mutate, message: str | None) -> None:
    data = copy.deepcopy(raw())
    mutate(data)
    path = tmp_path / "forms.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    if message is None:  # still valid (3 choices left): no error
        load_forms(path)
        return
    with pytest.raises(FormsError, match=message) as caught:
        load_forms(path)
    assert str(path) in str(caught.value)


def test_unreadable_forms_files_are_explained(tmp_path: Path) -> None:
    with pytest.raises(FormsError, match="does not exist"):
        load_forms(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(FormsError, match="line 1, column 3"):
        load_forms(bad)


def field(kind: str, **kw) -> Field:
    return Field(id="x", type=kind, label=LocalText("X", "X"), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "kw", "value", "problem"), [
    ("text", {"min_length": 5}, "JL", "too_short"),
    ("text", {"max_length": 5}, "JALAN PANJANG", "too_long"),
    ("text", {}, "RUMAH <b>", "characters"),
    ("text", {}, "JL. KYAI CARINGIN NO. 7/RT 02", None),
    ("text", {}, "   ", "required"),
    ("text", {"required": False}, "", None),
    ("digits", {"min_length": 5, "max_length": 5}, "1234", "digits_exact"),
    ("digits", {"max_length": 3}, "12a", "digits"),
    ("date", {"when": "past"}, "31022020", "date"),
    ("date", {"when": "past"}, "01012030", "date_future"),
    ("date", {"when": "future"}, "01012020", "date_past"),
    ("date", {"when": "past"}, "29022024", None),
    ("phone", {}, "0812-3456-7890", None),
    ("phone", {}, "+62 812 3456 7890", None),
    ("phone", {}, "021 555 1234", "phone"),
    ("email", {}, "siti@contoh.id", None),
    ("email", {}, "siti@contoh", "email"),
    ("registration", {}, "31 2110 0320 145443", None),
    ("registration", {}, "ABC", "registration"),
    ("registration", {}, "str-0001", None),
    ("registration", {}, "--------", "registration"),
    ("nik", {}, "9901010101900001", "nik.province"),
    ("nik", {}, "31710145019", "nik.too_short"),
    ("nik", {}, "3171014501900001", None),
])
def test_field_rules(kind: str, kw: dict, value: str, problem: str | None) -> None:
    found = check_value(field(kind, **kw), value, today=TODAY)
    assert (found.key if found else None) == problem


def test_a_form_is_checked_whole_and_values_are_shown_readably() -> None:
    form = load_forms().form_for("KIA")
    values = {"child_nik": "3171010101150002", "child_name": "SITI", "child_birth_date": "01012015",
              "reporter_relation": "parent", "phone": "081234567890"}
    assert check_form(form, values, today=TODAY) == {}
    assert set(check_form(form, {**values, "phone": ""}, today=TODAY)) == {"phone"}
    assert display_value(form.field("child_birth_date"), "01012015", "id") == "01-01-2015"
    assert display_value(form.field("reporter_relation"), "parent", "en") == "Parent"
    assert display_value(form.field("child_nik"), "3171010101150002", "id") == "3171********0002"
