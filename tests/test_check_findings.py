"""Issue 17: every finding a check can return says itself in both languages.

Static: every ``return level, detail[, advice]`` in the modules that hold the checks (parsed, not
run) gives a :class:`~kiosk.i18n.keyed.Keyed` detail whose key exists in Bahasa Indonesia and English,
so a new finding written as a plain English string fails here before a screen shows it in English.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from kiosk.i18n import Translator, texts
from kiosk.i18n.keyed import Keyed, key_of, say

ROOT = Path(__file__).resolve().parents[1]
CHECK_MODULES = ["kiosk/setup/checks.py", "kiosk/setup/diagnostics.py", "kiosk/ui/admin/qt_checks.py",
                 "kiosk/printing/health.py"]
LEVELS = {"ok", "warning", "error"}


def _keys_in(node: ast.expr) -> list[str]:
    """The key argument of ``Keyed(english, key, ...)``: a constant, ``a if c else b`` or an f-string
    (given as its constant prefix ending in ".")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _keys_in(node.body) + _keys_in(node.orelse)
    if isinstance(node, ast.JoinedStr):
        first = node.values[0]
        assert isinstance(first, ast.Constant) and str(first.value).endswith("."), ast.unparse(node)
        return [str(first.value)]
    raise AssertionError(f"a Keyed key must be spelled out: {ast.unparse(node)}")


def _is_keyed(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Keyed"


def _keyed_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_keyed(n)]


def _finding_returns(function: ast.FunctionDef) -> list[ast.Tuple]:
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) in (2, 3):
            first = node.value.elts[0]
            if (isinstance(first, ast.Constant) and first.value in LEVELS) or \
                    (isinstance(first, ast.Name) and first.id == "level"):
                found.append(node.value)
    return found


def _detail_is_keyed(function: ast.FunctionDef, detail: ast.expr, finders: set[str]) -> bool:
    """The detail is a Keyed(...) call, or a name only ever bound to one (or unpacked from a finder's result)."""
    if _is_keyed(detail):
        return True
    if not isinstance(detail, ast.Name):
        return False
    bindings = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                if any(isinstance(n, ast.Name) and n.id == detail.id for n in names):
                    bindings.append((target, node.value))
    if not bindings:
        return False
    for target, value in bindings:
        if isinstance(target, ast.Tuple):
            if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in finders):
                return False
        elif not _is_keyed(value):
            return False
    return True


def parsed() -> dict[str, ast.Module]:
    return {name: ast.parse((ROOT / name).read_text(encoding="utf-8")) for name in CHECK_MODULES}


def test_every_returned_finding_has_a_key_in_both_languages() -> None:
    indonesian, english = texts("id"), texts("en")
    count = 0
    for name, tree in parsed().items():
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        finders = {f.name for f in functions if _finding_returns(f)}
        for function in functions:
            for returned in _finding_returns(function):
                count += 1
                where = f"{name}:{returned.lineno} in {function.name}"
                assert _detail_is_keyed(function, returned.elts[1], finders), \
                    f"{where}: the detail is not a Keyed text: {ast.unparse(returned.elts[1])}"
        for call in _keyed_calls(tree):
            assert len(call.args) >= 2, f"{name}:{call.lineno}: Keyed without a key"
            for key in _keys_in(call.args[1]):
                for lang, table in (("id", indonesian), ("en", english)):
                    if key.endswith("."):
                        assert any(k.startswith(key) for k in table), f"{name}:{call.lineno}: no {lang} key {key}*"
                    else:
                        assert key in table, f"{name}:{call.lineno}: no {lang} text for {key}"
    assert count >= 65, count  # every finding of every check (69 when written), not a handful


def test_every_registered_check_lives_where_the_static_test_looks() -> None:
    from kiosk.ui.admin.qt_checks import all_checks

    for name, fn in all_checks():
        source = Path(inspect.getfile(fn)).resolve().relative_to(ROOT).as_posix()
        assert source in CHECK_MODULES, f"check {name} is in {source}: add it to CHECK_MODULES"


def test_every_finding_text_is_used() -> None:
    """No dead sentence: each admin.finding.* text is named by some Keyed key (or an f-string prefix)."""
    keys: list[str] = []
    for tree in parsed().values():
        for call in _keyed_calls(tree):
            keys += _keys_in(call.args[1])
    used = {k for k in keys if not k.endswith(".")} | {"admin.finding.crashed", "admin.finding.untranslated"}
    prefixes = tuple(k for k in keys if k.endswith("."))
    unused = [k for k in texts("id") if k.startswith("admin.finding.") and k not in used
              and not k.startswith(prefixes)]
    assert unused == []


def test_the_static_test_catches_a_plain_english_finding() -> None:
    tree = ast.parse('def check_x(config):\n    return "ok", "all fine", ""\n')
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    [returned] = _finding_returns(function)
    assert not _detail_is_keyed(function, returned.elts[1], set())


@pytest.mark.parametrize("lang", ["id", "en"])
def test_keyed_survives_copies_and_translates_nested_values(lang: str) -> None:
    import copy
    import json

    detail = Keyed("printer x: paper_out", "admin.finding.paper.fault", target="x",
                   kind=Keyed("escpos-usb", "setup.printer.kinds.escpos-usb"),
                   fault=Keyed("paper_out", "admin.finding.fault.paper_out"))
    again = copy.deepcopy(detail)
    assert again == detail and key_of(again) == key_of(detail)
    assert json.dumps(detail) == '"printer x: paper_out"'
    t = Translator(lang)
    shown = say(t, *key_of(detail))
    assert shown == t("admin.finding.paper.fault", kind=t("setup.printer.kinds.escpos-usb"), target="x",
                      fault=t("admin.finding.fault.paper_out"))
    assert "paper_out" not in shown and "escpos-usb" not in shown


def test_numbers_are_grouped_as_each_language_writes_them() -> None:
    detail = Keyed("76436 MB free of 258019 MB on the disk holding /data", "admin.finding.disk.ok",
                   free_mb=76436, total_mb=258019, path="/data")
    assert "76.436 MB dari 258.019 MB" in say(Translator("id"), *key_of(detail))
    assert "76,436 MB free of 258,019 MB" in say(Translator("en"), *key_of(detail))
