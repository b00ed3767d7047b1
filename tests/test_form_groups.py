"""Forms by the rules (issue 20): repeatable groups, questions asked only after a given choice, the
SPTJM statement, the NIK rules inside groups, the practice-place limit, and the shipped forms and
catalog saying what the regulations ask (STR active, SKP proof, profession names, sources)."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.applications.drafts import ApplicationDraft, build_new_application, describe_application
from kiosk.applications.views import counter_view
from kiosk.catalog.form_rules import practice_place_limit
from kiosk.catalog.forms import (
    Form,
    FormRule,
    FormsError,
    asked_form,
    check_form,
    check_page,
    default_forms_path,
    load_forms,
    pages,
    parse_forms,
)
from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.citizen.nik import parse_nik
from kiosk.queue.models import ApplicationView
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import NewApplication

TODAY = date(2026, 12, 7)
APPLICANT = "3171014501900001"
MOTHER = "3171015203920002"
FATHER = "3171011203900003"
WITNESS_1 = "3171010101800004"
WITNESS_2 = "3171014101850005"
SIP_FAMILIES = ("SIP-DU", "SIP-DSP", "SIP-DG", "SIP-DGSP", "SIP-BIDAN", "SIP-PERAWAT", "SIPA", "SIPTTK")


def birth_answers() -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    values = {"reporter_relation": "father", "child_name": "BUDI", "sex": "m", "birth_date": "01112026",
              "birth_time": "0812", "birth_place": "JAKARTA", "place_kind": "home", "birth_kind": "twin2",
              "birth_order": "2", "attendant": "midwife", "weight_g": "2900", "length_cm": "48",
              "birth_proof": "birth_letter", "mother_nik": MOTHER, "mother_name": "SITI",
              "mother_birth_date": "12031992",
              "parents_marriage": "recorded", "father_nik": FATHER, "father_name": "BAMBANG",
              "father_birth_date": "12031990", "phone": "081234567890"}
    groups = {"witnesses": [{"nik": WITNESS_1, "name": "AHMAD"}, {"nik": WITNESS_2, "name": "DEWI"}]}
    return values, groups


@pytest.fixture(scope="module")
def birth() -> Form:
    form = load_forms().form_for("AKTA-LAHIR")
    assert form is not None
    return form


# --- the shipped forms and catalog ---------------------------------------------------------------

def test_every_permit_form_keeps_the_place_limit_and_extensions_ask_for_the_skp_proof() -> None:
    forms = load_forms()
    for family in SIP_FAMILIES:
        for kind in ("BARU", "PERPANJANG", "PINDAH"):
            form = forms.form_for(f"{family}-{kind}")
            assert form is not None
            assert [r.rule for r in form.rules] == ["practice_place_limit"], form.service_code
            assert form.rules[0].params == {"max_places": 3}
            assert form.field("other_sips").max_items == 3 and form.field("other_sips").min_items == 0
            kinds = [d.kind for d in form.documents]
            assert ("skp_proof" in kinds) == (kind == "PERPANJANG"), form.service_code
    sip_any = forms.form_for("SIP-GIZI")
    assert sip_any is not None
    extension = asked_form(sip_any, {"application_type": "extend"})
    new = asked_form(sip_any, {"application_type": "new"})
    assert "skp_proof" in [d.kind for d in extension.documents] and "skp_proof" not in [d.kind for d in new.documents]
    assert "old_sip_number" in [f.id for f in extension.fields] and "old_sip_number" not in [f.id for f in new.fields]


def test_the_pharmacists_forms_say_sipa_and_nothing_says_the_str_must_still_be_valid() -> None:
    text = default_forms_path().read_text(encoding="utf-8") + default_catalog_path().read_text(encoding="utf-8")
    assert "masih berlaku (diambil" not in text and "Valid registration certificate" not in text
    forms = load_forms()
    for code in ("SIPA-PERPANJANG", "SIPA-PINDAH"):
        form = forms.form_for(code)
        assert form is not None
        assert {d.kind: d.label.id for d in form.documents}["old_sip"] == "SIPA lama"
    catalog = load_catalog(default_catalog_path())
    for service in catalog.services_of("DPMPTSP"):
        assert any(r.id.startswith("STR aktif") for r in service.requirements), service.code
        if service.code.endswith("-PERPANJANG"):
            assert any("SKP" in r.id for r in service.requirements), service.code
    ttk = catalog.service("SIPTTK-BARU")
    assert "Tenaga Vokasi Farmasi" in ttk.name.id and "vokasi farmasi" in ttk.keywords
    assert [s.code for s in catalog.search("tenaga vokasi farmasi baru")][:1] == ["SIPTTK-BARU"]


def test_every_service_names_the_regulation_its_requirements_come_from() -> None:
    catalog = load_catalog(default_catalog_path())
    for service in catalog.services:
        assert service.source.strip(), service.code
    assert "Permenkes 13/2025" in catalog.service("SIP-DU-BARU").source
    assert "UU 17/2023 psl. 199" in catalog.service("SIPTTK-BARU").source
    assert "F-2.01" in catalog.service("AKTA-LAHIR").source and "F-1.03" in catalog.service("PINDAH").source
    sources = Path(__file__).resolve().parent.parent / "docs" / "catalog-sources.md"
    written = " ".join(sources.read_text(encoding="utf-8").replace("*", "").split())
    assert "not an official list" in written and "could not verify" in written.lower()


def test_the_child_id_card_is_not_asked_for_by_a_spouse() -> None:
    form = load_forms().form_for("KIA")
    assert form is not None
    assert [c.value for c in form.field("reporter_relation").choices] == ["parent", "guardian"]


def test_the_dukcapil_forms_carry_the_official_fields(birth: Form) -> None:
    ids = {f.id for f in birth.fields}
    assert {"birth_time", "place_kind", "birth_kind", "attendant", "weight_g", "length_cm", "mother_name",
            "mother_birth_date", "father_birth_date", "witnesses", "birth_proof"} <= ids
    witnesses = birth.field("witnesses")
    assert (witnesses.min_items, witnesses.max_items) == (2, 2)
    assert [s.type for s in witnesses.items] == ["nik", "text"]
    sptjm = birth.field("birth_proof").choice("sptjm_birth")
    assert sptjm is not None and sptjm.statement is not None and "F-2.03" in sptjm.statement.id
    forms = load_forms()
    moving = forms.form_for("PINDAH")
    assert moving is not None
    assert {"security", "health"} <= {c.value for c in moving.field("reason").choices}
    assert {"move_kind", "kk_movers", "kk_stayers", "movers", "planned_date", "destination_rt", "destination_rw",
            "destination_kelurahan", "destination_kecamatan", "destination_postcode"} <= {f.id for f in moving.fields}
    assert [f.id for f in asked_form(moving, {"move_kind": "whole"}).fields].count("kk_stayers") == 0
    family = forms.form_for("KK")
    assert family is not None
    changes = family.field("changes")
    assert [s.id for s in changes.items] == ["nik", "field", "old_value", "new_value"]
    assert family.field("members").item("relation").choice("spouse") is not None
    death = forms.form_for("AKTA-MATI")
    assert death is not None
    assert {"death_time", "cause", "certified_by", "witnesses"} <= {f.id for f in death.fields}


def test_the_fathers_nik_and_id_card_are_asked_together(birth: Form) -> None:
    values, _ = birth_answers()
    for marriage, father in (("recorded", True), ("sptjm_couple", True), ("none", False)):
        shown = asked_form(birth, {**values, "parents_marriage": marriage})
        assert ("father_nik" in [f.id for f in shown.fields]) is father
        assert ("father_ktp" in [d.kind for d in shown.documents]) is father
        assert ("marriage" in [d.kind for d in shown.documents]) is (marriage == "recorded")
    assert birth.field("father_nik").required and birth.field("father_nik").sex == "M"
    assert birth.field("mother_nik").sex == "F"


# --- pages and checks ------------------------------------------------------------------------------

def test_a_group_is_one_page_per_question_of_each_person_then_its_list(birth: Form) -> None:
    values, groups = birth_answers()
    paths = [p.path for p in pages(birth, values, groups)]
    start = paths.index("witnesses.0.nik")
    assert paths[start:start + 5] == ["witnesses.0.nik", "witnesses.0.name", "witnesses.1.nik", "witnesses.1.name",
                                      "witnesses"]
    assert len(pages(birth, values, {})) == len(paths)  # two witnesses are asked before any is typed
    assert "father_nik" not in [p.path for p in pages(birth, {**values, "parents_marriage": "none"}, groups)]


def test_a_complete_birth_registration_has_no_problem(birth: Form) -> None:
    values, groups = birth_answers()
    assert check_form(birth, values, groups, today=TODAY) == {}


@pytest.mark.parametrize(("change", "path", "key"), [
    (lambda v, g: g["witnesses"][1].update(nik="9901014101850005"), "witnesses.1.nik", "nik.province"),
    (lambda v, g: g["witnesses"][1].update(nik=MOTHER), "witnesses.1.nik", "forms.error.same_nik"),
    (lambda v, g: g["witnesses"][0].update(nik=FATHER), "witnesses.0.nik", "forms.error.same_nik"),
    (lambda v, g: v.update(father_nik=MOTHER), "father_nik", "forms.error.nik_sex_m"),
    (lambda v, g: v.update(mother_nik=FATHER), "mother_nik", "forms.error.nik_sex_f"),
    (lambda v, g: g["witnesses"].pop(), "witnesses", "forms.error.group_min"),
    (lambda v, g: g["witnesses"][0].pop("name"), "witnesses", "forms.error.group_item"),
    (lambda v, g: v.update(weight_g="80"), "weight_g", "forms.error.range"),
    (lambda v, g: v.update(birth_time="2460"), "birth_time", "forms.error.time"),
])
def test_nik_and_group_rules(birth: Form, change, path: str, key: str) -> None:
    values, groups = birth_answers()
    change(values, groups)
    problems = check_form(birth, values, groups, today=TODAY)
    assert path in problems and problems[path].key == key, problems


def test_the_same_nik_is_refused_where_it_is_typed_the_second_time(birth: Form) -> None:
    values, groups = birth_answers()
    groups["witnesses"][1]["nik"] = WITNESS_1
    problems = check_form(birth, values, groups, today=TODAY)
    assert "witnesses.0.nik" not in problems and problems["witnesses.1.nik"].key == "forms.error.same_nik"


def test_the_practice_place_limit() -> None:
    rule = FormRule("practice_place_limit", {"max_places": 3})

    def check(place: str, *others: str) -> Any:
        held = {"other_sips": [{"place_name": o} for o in others]}
        problem = practice_place_limit(rule, {"facility_name": place}, held)
        return (problem.key, dict(problem.params)) if problem else None

    assert check("RSUD TARAKAN") is None
    assert check("RSUD TARAKAN", "KLINIK A", "KLINIK B") is None  # two others and this one: three places
    assert check("RSUD TARAKAN", "KLINIK A", "KLINIK B", "KLINIK C") == ("forms.error.sip_limit", {"max": 3, "held": 3})
    assert check("RSUD Tarakan", "rsud  tarakan.") == ("forms.error.sip_same_place", {"place": "RSUD Tarakan"})
    assert practice_place_limit(FormRule("practice_place_limit", {"max_places": 4}), {"facility_name": "X"},
                                {"other_sips": [{"place_name": n} for n in "ABC"]}) is None


def test_the_place_limit_shows_on_the_list_of_other_permits() -> None:
    form = load_forms().form_for("SIP-PERAWAT-PERPANJANG")
    assert form is not None
    values = {"facility_name": "RSUD TARAKAN"}
    groups = {"other_sips": [{"place_name": p, "place_city": "JAKARTA"} for p in ("A KLINIK", "B KLINIK", "C KLINIK")]}
    listing = next(p for p in pages(form, values, groups) if p.is_list)
    problem = check_page(form, listing, values, groups)
    assert problem is not None and problem.key == "forms.error.sip_limit"
    groups["other_sips"].pop()
    assert check_page(form, listing, values, groups) is None


# --- what is sent, and what the counter sees --------------------------------------------------------

def test_the_outbox_gets_groups_as_lists_and_nothing_a_changed_choice_left_behind(birth: Form) -> None:
    values, groups = birth_answers()
    draft = ApplicationDraft("AKTA-LAHIR", values={**values, "parents_marriage": "none"}, groups=groups)
    draft.add_photo("father_ktp", b"left from the first answer")
    draft.add_photo("mother_ktp", b"jpeg")
    application = build_new_application(draft, birth, parse_nik(APPLICANT), "id", "D-001")
    assert application.fields["witnesses"] == [{"nik": WITNESS_1, "name": "AHMAD"}, {"nik": WITNESS_2, "name": "DEWI"}]
    assert "father_nik" not in application.fields  # "no marriage": the father is not asked, not sent
    assert [a.kind for a in application.attachments] == ["mother_ktp"]


def test_the_counter_sees_each_witness_labelled_and_masked(tmp_path: Path, birth: Form) -> None:
    values, groups = birth_answers()
    store = ApplicationStore(tmp_path / "apps")
    try:
        app_id = str(uuid.uuid4())
        store.save(NewApplication(id=app_id, service_code="AKTA-LAHIR", nik=APPLICANT, ticket_number="D-001",
                                  fields={**values, **groups}))
        view = counter_view(store, app_id, birth)
    finally:
        store.close()
    assert view.answers["witnesses_1_nik"] == "3171********0004"
    assert view.answers["witnesses_2_name"] == "DEWI"
    assert view.answers["father_nik"] == "3171********0003"
    rows = dict(describe_application(view, birth, "id").rows)
    assert rows["Saksi 2: NIK saksi"] == "3171********0005"
    assert rows["Saksi 1: Nama lengkap saksi"] == "AHMAD"
    rows_en = dict(describe_application(view, birth, "en").rows)
    assert rows_en["Witness 1: Witness's full name"] == "AHMAD"


def test_a_view_from_a_kiosk_with_an_older_form_keeps_unknown_answers() -> None:
    view = ApplicationView(application_id="a-1", number="APP-1", service_code="AKTA-LAHIR",
                           nik_masked="3171********0001",
                           created_at=datetime(2026, 12, 7, tzinfo=UTC), sync_state="pending",
                           answers={"witnesses_1_nik": "3171********0004", "old_question": "X"})
    rows = describe_application(view, load_forms().form_for("AKTA-LAHIR"), "en").rows
    assert ("Witness 1: Witness's NIK", "3171********0004") in rows and ("old_question", "X") in rows


# --- the file's checks ---------------------------------------------------------------------------

def raw() -> dict:
    return json.loads(default_forms_path().read_text(encoding="utf-8"))


def witnesses(d: dict) -> dict:
    return next(f for f in d["forms"]["AKTA-LAHIR"]["fields"] if f["id"] == "witnesses")


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: witnesses(d).pop("fields"), r"is a group but has no 'fields'"),
    (lambda d: witnesses(d)["fields"].append({"id": "inner", "type": "group", "label": {"id": "x", "en": "x"}}),
     r"a group cannot hold another group"),
    (lambda d: witnesses(d).update(item_label={"id": "Saksi", "en": "Witness {n}"}), r"must hold \{n\}"),
    (lambda d: witnesses(d).update(min_items=3), r"min_items \(3\) is more than max_items \(2\)"),
    (lambda d: witnesses(d).update(max_items=13), r"max_items must be between 1 and 12"),
    (lambda d: d["forms"]["AKTA-LAHIR"]["fields"][1].update(min_items=1), r"only a 'group' field has it"),
    (lambda d: d["forms"]["AKTA-LAHIR"]["fields"][0].update(ask_if={"field": "sex", "in": ["m"]}),
     r"fields\[0\]\.ask_if\.field 'sex' is not an earlier choice"),
    (lambda d: d["forms"]["AKTA-LAHIR"]["documents"][0].update(ask_if={"field": "birth_proof", "in": ["letter"]}),
     r"documents\[0\]\.ask_if\.in 'letter' is not one of the choices of 'birth_proof'"),
    (lambda d: d["forms"]["AKTA-LAHIR"]["fields"][1].update(sex="F"), r"'F' or 'M' on a 'nik' field only"),
    (lambda d: d["forms"]["AKTA-LAHIR"]["fields"][1].update(type="digits", min_value=1),
     r"min_value and max_value go together"),
    (lambda d: d["templates"]["sip_new"]["rules"].append({"rule": "one_place"}), r"'one_place' is not a known rule"),
    (lambda d: d["templates"]["sip_new"]["rules"][0].update(max_places=0), r"max_places must be between 1 and 10"),
    (lambda d: d["templates"]["sip_new"]["fields"].pop(5), r"practice_place_limit needs the question 'other_sips'"),
    (lambda d: d["forms"]["AKTA-LAHIR"]["fields"][12]["choices"][1].update(statement="text"),
     r"choices\[1\]\.statement must be an object"),
])
def test_a_broken_group_condition_or_rule_names_the_place(tmp_path: Path, mutate, message: str) -> None:
    data = copy.deepcopy(raw())
    mutate(data)
    with pytest.raises(FormsError, match=message):
        parse_forms(data, "forms.json")
