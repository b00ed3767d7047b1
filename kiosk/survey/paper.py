"""Survey sheets collected on paper, typed into a spreadsheet and saved as CSV.

One row per respondent; a header row names the columns: ``U1``..``U9`` (required columns, each cell
1–4, or empty / ``-`` where the citizen left the question unanswered) and, optionally, ``sex``,
``age_band``, ``education``, ``occupation`` (codes as in
:data:`kiosk.survey.model.DEMOGRAPHICS`; ``L``/``P`` are accepted for sex). Other columns (a
respondent number, a date) are ignored and listed. Comma, semicolon or tab separated (Indonesian
spreadsheets save with semicolons). Every bad cell is reported with its line and column, all at
once, so the sheet can be fixed in one pass; nothing is computed from a sheet with errors.

Unanswered questions follow the kiosk's rule (``docs/survey-and-reports.md``): an answer counts toward
its element wherever it was given; a sheet counts toward the sample only when all nine are answered.
The lines of incomplete sheets are listed, so a typing slip (a cell forgotten) can be checked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.survey.ikm import IkmResult, compute
from kiosk.survey.model import DEMOGRAPHICS, ELEMENT_CODES

MAX_REPORTED = 50
_SEX_ALIASES = {"l": "male", "p": "female", "laki-laki": "male", "perempuan": "female", "m": "male", "f": "female"}
_COLUMN_ALIASES = {"jenis_kelamin": "sex", "umur": "age_band", "usia": "age_band", "pendidikan": "education",
                   "pekerjaan": "occupation"}


@dataclass(frozen=True)
class CellProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class PaperSheetError(Exception):
    """The sheet cannot be used as it is; ``problems`` says where and why."""

    def __init__(self, path: str, problems: list[CellProblem], more: int = 0) -> None:
        self.path, self.problems, self.more = path, problems, more
        lines = [f"{path}: {p}" for p in problems]
        if more:
            lines.append(f"{path}: ... and {more} more problem(s)")
        super().__init__("\n".join(lines))


NOT_ANSWERED = ("", "-")  # what a typist writes for a question the citizen left empty


@dataclass
class PaperSheet:
    rows: list[tuple[int | None, ...]]
    demographics: list[dict[str, str]]
    ignored_columns: list[str] = field(default_factory=list)
    incomplete_lines: list[int] = field(default_factory=list)  # sheets with an unanswered question

    def ikm(self) -> IkmResult:
        return compute(self.rows)

    def demographic_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for row in self.demographics:
            for name, value in row.items():
                bucket = counts.setdefault(name, {})
                bucket[value] = bucket.get(value, 0) + 1
        return counts


def _column_name(raw: str) -> str:
    name = raw.strip().lower().replace(" ", "_")
    if len(name) == 2 and name[0] == "u" and name[1].isdigit():
        return name.upper()
    return _COLUMN_ALIASES.get(name, name)


def read_sheet(path: Path) -> PaperSheet:
    """Read and check a CSV file of paper responses; raises :class:`PaperSheetError`."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise PaperSheetError(str(path), [CellProblem(0, "-", "file not found")]) from None
    except UnicodeDecodeError:
        raise PaperSheetError(str(path), [CellProblem(0, "-", "is not UTF-8 text; save it as "
                                                            "'CSV UTF-8' from the spreadsheet")]) from None
    return parse_sheet(text, str(path))


def parse_sheet(text: str, source: str = "<csv>") -> PaperSheet:
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header, names = _read_header(reader, source)
    ignored = [raw.strip() for raw, name in zip(header, names, strict=True)
               if name not in ELEMENT_CODES and name not in DEMOGRAPHICS]
    rows: list[tuple[int | None, ...]] = []
    demographics: list[dict[str, str]] = []
    incomplete: list[int] = []
    position = {name: i for i, name in enumerate(names)}
    found = _Found()
    line = reader.line_num
    for record in reader:
        row = _Row(record, header, position, line + 1, found)  # line + 1: the line the record starts on
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines between blocks of sheets
        scores, extra = row.scores(), row.demographics()
        if len(scores) == len(ELEMENT_CODES):
            rows.append(tuple(scores))
            demographics.append(extra)
            if None in scores:
                incomplete.append(row.line)
    if found.problems:
        raise PaperSheetError(source, found.problems, found.more)
    if not rows:
        raise PaperSheetError(source, [CellProblem(2, "-", "no respondents: the sheet has a header but no rows")])
    return PaperSheet(rows, demographics, ignored, incomplete)


def _read_header(reader: Iterator[list[str]], source: str) -> tuple[list[str], list[str]]:
    """The header's cells and the column names they stand for; raises when U1..U9 are not all there once."""
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise PaperSheetError(source, [CellProblem(1, "-", "the first line must name the columns "
                                                          "(U1,U2,...,U9 and optional sex,age_band,...)")])
    names = [_column_name(cell) for cell in header]
    problems: list[CellProblem] = []
    missing = [code for code in ELEMENT_CODES if code not in names]
    if missing:
        problems.append(CellProblem(1, ", ".join(missing), "required column(s) missing from the header"))
    seen: set[str] = set()
    for raw, name in zip(header, names, strict=True):
        if name in seen and (name in ELEMENT_CODES or name in DEMOGRAPHICS):
            problems.append(CellProblem(1, raw.strip(), "this column appears twice"))
        seen.add(name)
    if problems:
        raise PaperSheetError(source, problems)
    return header, names


@dataclass
class _Found:
    """The problems found so far: the first :data:`MAX_REPORTED`, then only how many more."""

    problems: list[CellProblem] = field(default_factory=list)
    more: int = 0

    def report(self, line: int, column: str, message: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(CellProblem(line, column, message))
        else:
            self.more += 1


@dataclass(frozen=True)
class _Row:
    """One respondent's record; its bad cells are reported to ``found``."""

    record: list[str]
    header: list[str]
    position: dict[str, int]
    line: int
    found: _Found

    def cell(self, index: int) -> str:
        return self.record[index].strip() if index < len(self.record) else ""

    def scores(self) -> list[int | None]:
        """One score per element (None = not answered); a bad cell is reported and left out."""
        scores: list[int | None] = []
        for code in ELEMENT_CODES:
            index = self.position[code]
            score = _score(self.cell(index))
            if isinstance(score, str):
                self.found.report(self.line, self.header[index].strip(), score)
            else:
                scores.append(score)
        return scores

    def demographics(self) -> dict[str, str]:
        extra: dict[str, str] = {}
        for name, allowed in DEMOGRAPHICS.items():
            if name not in self.position:
                continue
            index = self.position[name]
            cell = self.cell(index)
            if not cell:
                continue
            value = cell.lower().replace(" ", "_").replace("-", "_") if name != "sex" else cell.lower()
            if name == "sex":
                value = _SEX_ALIASES.get(value, value)
            if value not in allowed:
                self.found.report(self.line, self.header[index].strip(),
                                  f"{cell!r} is not one of: {', '.join(allowed)} (or leave it empty)")
            else:
                extra[name] = value
        return extra


def _score(cell: str) -> int | str | None:
    """The score in a cell (None: not answered), or what is wrong with it."""
    if cell in NOT_ANSWERED:
        return None
    try:
        number = float(cell.replace(",", "."))
    except ValueError:
        return f"{cell!r} is not a number; write 1, 2, 3 or 4 (or leave it empty if not answered)"
    if not number.is_integer():
        return f"{cell} is not a whole number; write 1, 2, 3 or 4"
    if not 1 <= number <= 4:
        return f"{cell} is out of range; the scale is 1 to 4"
    return int(number)


def sheet_report(sheet: PaperSheet, source: str) -> dict[str, Any]:
    """The JSON ``kiosk survey ikm --csv`` prints."""
    result = sheet.ikm().to_json()
    out: dict[str, Any] = {"source": source, **result, "demographics": sheet.demographic_counts()}
    out["incomplete_lines"] = sheet.incomplete_lines
    if sheet.ignored_columns:
        out["ignored_columns"] = sheet.ignored_columns
    return out
