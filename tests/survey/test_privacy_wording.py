"""The words shown to citizens match what is stored (docs/privacy.md): the survey's intro, and the short
privacy notices the NIK step and the application show (kiosk/i18n/*/privacy.toml)."""

from __future__ import annotations

import re

import pytest

from kiosk.i18n import Translator, texts


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("key", ["identify", "application"])
def test_notices_are_short_and_name_what_the_law_asks(lang: str, key: str) -> None:
    template = texts(lang)[f"privacy.notice.{key}"]
    assert len(template.split()) <= 60
    assert set(re.findall(r"{(\w+)}", template)) == ({"site"} if key == "identify" else {"site", "days"})
    text = Translator(lang)(f"privacy.notice.{key}", site="MPP Kota Contoh", days=30)
    assert "MPP Kota Contoh" in text and "27/2022" in text  # the controller, the legal basis
    assert ("MPP" in text.split(":")[-1]) and ("informasi" in text or "information desk" in text)  # where to ask
    if key == "application":
        assert "30" in text and ("terenkripsi" in text or "encrypted" in text)  # retention, protection


@pytest.mark.parametrize(("lang", "says"), [("id", "disimpan bersama nomor tiket Anda"),
                                            ("en", "kept with your ticket number")])
def test_the_survey_is_not_called_anonymous(lang: str, says: str) -> None:
    survey = {k: v for k, v in texts(lang).items() if k.startswith("survey.")}
    assert not [k for k, v in survey.items() if re.search(r"anonim|anonymous|tanpa nik|no nik", v, re.I)]
    assert says in survey["survey.intro.body"]
