"""Paper sheets (CSV): the IKM JSON and errors that name the line and the column."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from kiosk.app.cli import main
from kiosk.survey.ikm import compute
from kiosk.survey.paper import PaperSheetError, parse_sheet

HEADER = "U1,U2,U3,U4,U5,U6,U7,U8,U9"


def problems(text: str) -> list[str]:
    with pytest.raises(PaperSheetError) as info:
        parse_sheet(text, "sheet.csv")
    return [str(p) for p in info.value.problems]


def test_errors_name_line_and_column() -> None:
    text = "\n".join([f"No,{HEADER},sex", "1,4,4,4,4,4,4,4,4,4,L", "2,4,5,4,4,4,4,4,4,4,P",
                      "3,4,4,x,4,4,4,4,4,,", "4,4,4,4,0,4,4,4,4,4,X", "5,4,4,4,4,4,4,4,4,2.5,"])
    assert problems(text) == [
        "line 3, column U2: 5 is out of range; the scale is 1 to 4",
        "line 4, column U3: 'x' is not a number; write 1, 2, 3 or 4 (or leave it empty if not answered)",
        "line 5, column U4: 0 is out of range; the scale is 1 to 4",
        "line 5, column sex: 'X' is not one of: male, female (or leave it empty)",
        "line 6, column U9: 2.5 is not a whole number; write 1, 2, 3 or 4",
    ]


def test_unanswered_questions_follow_the_kiosk_rule() -> None:
    """Empty or "-" = not answered, as a skipped question at the kiosk: the answers given count toward
    their elements; only the sheets with all nine answered count toward the sample."""
    sheet = parse_sheet(f"{HEADER}\n4,4,4,4,4,4,4,4,4\n2,2,2,-,2,2,2,2,2\n3,3,3,3,3,3,3\n")
    result = sheet.ikm()
    assert result.respondents == 3 and result.complete == 1
    assert [e.answers for e in result.elements] == [3, 3, 3, 2, 3, 3, 3, 2, 2]
    assert [e.nrr for e in result.elements][3] == Fraction(7, 2)  # U4: (4 + 3) / 2, the "-" left out, not 0
    assert [e.nrr for e in result.elements][8] == 3  # U9: (4 + 2) / 2, the short row's empty cells left out
    assert sheet.incomplete_lines == [3, 4]
    # The same answers entered at the kiosk (None = skipped) give the same figures.
    assert compute([(4,) * 9, (2, 2, 2, None, 2, 2, 2, 2, 2), (3,) * 7 + (None, None)]) == result


def test_missing_and_duplicate_columns() -> None:
    assert problems("U1,U2,U3\n1,2,3\n") == [
        "line 1, column U4, U5, U6, U7, U8, U9: required column(s) missing from the header"]
    assert problems(f"{HEADER},u1\n") == ["line 1, column u1: this column appears twice"]


def test_line_numbers_count_blank_lines_and_quoted_newlines() -> None:
    text = f'{HEADER},note\n4,4,4,4,4,4,4,4,4,"two\nlines"\n\n4,4,4,4,4,4,4,4,9,\n'
    assert problems(text) == ["line 5, column U9: 9 is out of range; the scale is 1 to 4"]


def test_semicolons_and_indonesian_codes(tmp_path: Path) -> None:
    sheet = parse_sheet("u1;u2;u3;u4;u5;u6;u7;u8;u9;Jenis Kelamin;Pendidikan\n"
                        "4;4;4;4;4;4;4;4;4;L;SMA\n3;3;3;3;3;3;3;3;3;P;\n")
    ikm = sheet.ikm().ikm
    assert ikm is not None and float(ikm) == 87.5
    assert sheet.demographic_counts() == {"sex": {"male": 1, "female": 1}, "education": {"sma": 1}}


def test_empty_sheet() -> None:
    assert problems(f"{HEADER}\n") == ["line 2, column -: no respondents: the sheet has a header but no rows"]


def test_cli_prints_ikm_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(f"{HEADER},age_band\n4,4,3,4,3,3,4,3,3,30_39\n3,3,3,4,3,3,3,3,3,\n", encoding="utf-8")
    assert main(["survey", "ikm", "--csv", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ikm"] == 81.94 and out["category"] == "B" and out["respondents"] == 2 and out["complete"] == 2
    assert out["incomplete_lines"] == []
    assert [e["nrr"] for e in out["elements"]] == [3.5, 3.5, 3.0, 4.0, 3.0, 3.0, 3.5, 3.0, 3.0]
    assert out["demographics"] == {"age_band": {"30_39": 1}}


def test_cli_bad_sheet_exits_2_with_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(f"{HEADER}\n4,4,4,4,4,4,4,4,4\n4,4,4,4,7,4,4,4,4\n", encoding="utf-8")
    assert main(["survey", "ikm", "--csv", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: line 3, column U5: 7 is out of range" in err
    assert main(["survey", "ikm", "--csv", str(tmp_path / "nope.csv")]) == 2
    assert "file not found" in capsys.readouterr().err
