"""Contrast of every style the app uses, computed from the style sheets themselves (issue 17, item 1).

The style sheets are generated exactly as the windows generate them, parsed, and resolved with the
cascade Qt applies (CSS2 specificity, later rule wins a tie, ``QWidget`` matches every widget,
``A B`` only inside ``A``). Then, for every state a rule defines (plus ``:disabled`` for every button):

- text ≥ 7:1 against what is behind it, placeholders included (``:disabled`` text ≥ 4.5:1);
- a control's edge or fill ≥ 3:1 against the panel it sits on (WCAG 1.4.11), disabled ones too;
- a scroll bar's handle and a progress bar's chunk ≥ 3:1 against their track.

A widget without an ancestor in its selector is checked on every panel of its style (the window, a
card, the header, a dialog...), unless a rule for that panel restyles it (then that rule is checked).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import pytest

from kiosk.ui.admin.style import admin_style
from kiosk.ui.board.style import board_style
from kiosk.ui.qt.theme import Scale, console_style, kiosk_style, tile_style
from kiosk.ui.survey.faces import survey_style

TEXT_MIN = 7.0
DISABLED_TEXT_MIN = 4.5
NON_TEXT_MIN = 3.0

# Qt's class tree for the types the style sheets name: a type selector matches its subclasses.
BASES = {
    "QLabel": "QFrame", "QFrame": "QWidget", "QPushButton": "QWidget", "QLineEdit": "QWidget",
    "QComboBox": "QWidget", "QListWidget": "QFrame", "QTableWidget": "QFrame", "QScrollArea": "QFrame",
    "QScrollBar": "QWidget", "QProgressBar": "QWidget", "QTextEdit": "QFrame", "Marquee": "QWidget",
}
TEXT_TYPES = {"QWidget", "QLabel", "QPushButton", "QLineEdit", "QComboBox", "QListWidget", "QTableWidget",
              "QTextEdit", "Marquee"}
CONTROL_TYPES = {"QPushButton", "QLineEdit", "QComboBox", "QListWidget", "QTextEdit"}
PLACEHOLDER_TYPES = {"QLineEdit", "QTextEdit"}
NAMED = {"white": "#ffffff", "black": "#000000"}


def style_sheets(scale: Scale) -> dict[str, str]:
    """Every style sheet the windows set, built by the same functions and in the same combinations."""
    return {
        "kiosk": kiosk_style(scale) + tile_style(scale) + survey_style(scale),  # kiosk window, survey
        "admin": admin_style(scale),
        "console": console_style(scale),
        "board": board_style(scale),  # the lobby board's (kiosk.ui.board.style)
    }


# -- parsing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Compound:
    """One simple selector: ``Type#id[attr="v"]::sub:pseudo``."""

    type: str | None
    id: str | None = None
    attrs: frozenset[tuple[str, str]] = frozenset()
    sub: str | None = None
    pseudos: frozenset[str] = frozenset()

    def text(self) -> str:
        out = (self.type or "") + (f"#{self.id}" if self.id else "")
        out += "".join(f'[{k}="{v}"]' for k, v in sorted(self.attrs))
        out += f"::{self.sub}" if self.sub else ""
        return out + "".join(f":{p}" for p in sorted(self.pseudos))


COMPOUND = re.compile(r'^(?P<type>[A-Za-z]\w*)?(?P<id>#\w+)?(?P<attrs>(\[\w+="[^"]*"\])*)'
                      r'(?P<sub>::[\w-]+)?(?P<pseudos>(:[\w-]+)*)$')


def parse_compound(text: str) -> Compound:
    match = COMPOUND.match(text)
    assert match, f"selector the test cannot read: {text!r}"
    return Compound(type=match["type"], id=match["id"][1:] if match["id"] else None,
                    attrs=frozenset(re.findall(r'\[(\w+)="([^"]*)"\]', match["attrs"] or "")),
                    sub=match["sub"][2:] if match["sub"] else None,
                    pseudos=frozenset(p for p in (match["pseudos"] or "").split(":") if p))


@dataclass(frozen=True)
class Selector:
    subject: Compound
    ancestor: Compound | None = None

    @property
    def specificity(self) -> tuple[int, int, int]:
        parts = [self.subject] + ([self.ancestor] if self.ancestor else [])
        return (sum(1 for p in parts if p.id), sum(len(p.attrs) + len(p.pseudos) for p in parts),
                sum(1 for p in parts if p.type) + sum(1 for p in parts if p.sub))

    def text(self) -> str:
        return (self.ancestor.text() + " " if self.ancestor else "") + self.subject.text()


@dataclass
class Rule:
    selector: Selector
    decls: dict[str, str]
    order: int


def parse(qss: str) -> list[Rule]:
    rules: list[Rule] = []
    for n, (selectors, body) in enumerate(re.findall(r"([^{}]+)\{([^{}]*)\}", qss)):
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                name, value = decl.split(":", 1)
                decls[name.strip()] = value.strip()
        for text in selectors.split(","):
            parts = text.split()
            assert 1 <= len(parts) <= 2, f"selector the test cannot read: {text!r}"
            ancestor = parse_compound(parts[0]) if len(parts) == 2 else None
            rules.append(Rule(Selector(parse_compound(parts[-1]), ancestor), decls, n))
    return rules


# -- the cascade --------------------------------------------------------------------------------
def type_matches(rule_type: str | None, widget_type: str | None) -> bool:
    current = widget_type
    while current is not None:
        if rule_type in (None, current):
            return True
        current = BASES.get(current)
    return rule_type is None or rule_type == "QWidget"


def compound_matches(rule: Compound, widget: Compound) -> bool:
    def pseudo_ok(pseudo: str) -> bool:
        if pseudo == "enabled":
            return "disabled" not in widget.pseudos
        return pseudo in widget.pseudos or pseudo in ("vertical",)
    return (type_matches(rule.type, widget.type) and rule.id in (None, widget.id) and rule.attrs <= widget.attrs
            and rule.sub == widget.sub and all(pseudo_ok(p) for p in rule.pseudos))


def matches(rule: Selector, widget: Compound, context: Compound | None) -> bool:
    if not compound_matches(rule.subject, widget):
        return False
    return rule.ancestor is None or (context is not None and compound_matches(rule.ancestor, context))


def resolve(rules: list[Rule], widget: Compound, context: Compound | None) -> dict[str, str]:
    """The declarations that win for ``widget`` inside ``context``."""
    winners = sorted((r for r in rules if matches(r.selector, widget, context)),
                     key=lambda r: (r.selector.specificity, r.order))
    out: dict[str, str] = {}
    for rule in winners:
        for name, value in rule.decls.items():
            if name == "border":  # the shorthand: width style colour
                colour = colour_in(value)
                out["border-color"] = colour or "none"
            elif name in ("background", "background-color"):
                out["background"] = value
            else:
                out[name] = value
    return out


# -- colours ------------------------------------------------------------------------------------
RGB = tuple[float, float, float, float]


def colour_in(value: str) -> str | None:
    found = re.search(r"#[0-9a-fA-F]{6}\b|rgba?\([^)]*\)|\b(white|black|transparent)\b", value)
    return found.group(0) if found else None


def rgba(value: str) -> RGB | None:
    """``#rrggbb``, ``rgba(r, g, b, a)`` (a 0–255), ``white``; None for transparent or no colour."""
    colour = colour_in(value)
    if colour is None or colour == "transparent":
        return None
    colour = NAMED.get(colour, colour)
    if colour.startswith("#"):
        return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 255)
    numbers = [float(x) for x in re.findall(r"[\d.]+", colour)]
    return (numbers[0], numbers[1], numbers[2], numbers[3] if len(numbers) > 3 else 255)


def over(top: RGB, below: RGB) -> RGB:
    a = top[3] / 255
    return (top[0] * a + below[0] * (1 - a), top[1] * a + below[1] * (1 - a), top[2] * a + below[2] * (1 - a), 255)


def luminance(colour: RGB) -> float:
    """WCAG 2 relative luminance."""
    def channel(c: float) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: RGB, b: RGB) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def hex_of(colour: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(c) for c in colour[:3]))


# -- what is checked ----------------------------------------------------------------------------
@dataclass
class Check:
    style: str
    what: str
    ratio: float
    minimum: float
    colours: str = ""

    @property
    def ok(self) -> bool:
        return self.ratio >= self.minimum - 0.005

    def __str__(self) -> str:
        return f"{self.style}: {self.what} {self.ratio:.2f}:1 (needs {self.minimum:g}) {self.colours}"


@dataclass
class Sheet:
    name: str
    rules: list[Rule]
    root: RGB = (255, 255, 255, 255)
    panels: list[Compound] = field(default_factory=list)

    def background(self, widget: Compound, context: Compound | None) -> RGB:
        """What is painted behind ``widget``'s text: its own fill, else its panel's, else the window's."""
        own = rgba(resolve(self.rules, widget, context).get("background", ""))
        behind = self.panel_colour(context) if context is not None else self.root
        return over(own, behind) if own is not None else behind

    def panel_colour(self, panel: Compound) -> RGB:
        own = rgba(resolve(self.rules, panel, None).get("background", ""))
        return over(own, self.root) if own is not None else self.root


def load(name: str, qss: str) -> Sheet:
    rules = parse(qss)
    sheet = Sheet(name, rules)
    root = Compound("QWidget")
    sheet.root = rgba(resolve(rules, root, None).get("background", "")) or (255, 255, 255, 255)
    sheet.panels = [root]
    for rule in rules:  # containers with a fill of their own, opaque (the dimming overlay holds a dialog)
        subject = rule.selector.subject
        opaque = (rgba(rule.decls.get("background", "")) or (0, 0, 0, 0))[3] == 255
        if (subject.type in ("QFrame", "QWidget") and (subject.id or subject.attrs) and rule.selector.ancestor is None
                and opaque and subject not in sheet.panels):
            sheet.panels.append(subject)
    return sheet


def subjects(sheet: Sheet) -> Iterator[tuple[Compound, Compound | None]]:
    """Every widget state a rule names, each ``:disabled`` button, on each panel it can sit on."""
    seen: set[tuple[Compound, Compound | None]] = set()
    for rule in sheet.rules:
        subject, ancestor = rule.selector.subject, rule.selector.ancestor
        states = [subject]
        if subject.type == "QPushButton" and subject.sub is None:
            states.append(replace(subject, pseudos=frozenset({"disabled"})))
        for state in states:
            contexts = [ancestor] if ancestor is not None else [p for p in sheet.panels if sits_on(sheet, state, p)]
            for context in contexts:
                if (state, context) not in seen:
                    seen.add((state, context))
                    yield state, context


def sits_on(sheet: Sheet, widget: Compound, panel: Compound) -> bool:
    """A widget is checked on a panel unless the panel restyles it (``#header QPushButton``): that rule
    is checked itself. Panels that are controls (a tile) hold only labels."""
    if panel == widget or widget.type in ("QFrame",) and widget.id is None:
        return False
    if panel.id == "tile" and widget.type != "QLabel":
        return False
    for rule in sheet.rules:
        ancestor = rule.selector.ancestor
        anywhere = ancestor == Compound("QWidget")  # "QWidget QLabel#banner": any label of that name
        if (ancestor is not None and not anywhere and compound_matches(ancestor, panel)
                and compound_matches(rule.selector.subject, widget)):
            painted = {k: v for k, v in rule.decls.items() if k in ("color", "background", "border", "border-color")}
            if any(v != "transparent" for v in painted.values()):
                return False
    return True


def checks(sheet: Sheet) -> Iterator[Check]:
    for widget, context in subjects(sheet):
        decls = resolve(sheet.rules, widget, context)
        where = widget.text() + (f" on {context.text()}" if context is not None and context.type else "")
        disabled = "disabled" in widget.pseudos
        behind = sheet.panel_colour(context) if context is not None else sheet.root
        fill = sheet.background(widget, context)
        container = widget.type == "QWidget" and widget.id is not None and "font-size" not in decls
        if widget.type in TEXT_TYPES and widget.sub in (None, "item") and "color" in decls and not container:
            text = rgba(decls["color"])
            if text is not None:
                yield Check(sheet.name, f"text of {where}", ratio(over(text, fill), fill),
                            DISABLED_TEXT_MIN if disabled else TEXT_MIN, f"{hex_of(text)} on {hex_of(fill)}")
        if widget.type in PLACEHOLDER_TYPES and widget.sub is None:
            # Without placeholder-text-color Qt draws the text colour at half opacity.
            own = decls.get("placeholder-text-color")
            placeholder = rgba(own) if own else (*(rgba(decls.get("color", "")) or (0, 0, 0, 255))[:3], 128)
            assert placeholder is not None
            yield Check(sheet.name, f"placeholder of {where}", ratio(over(placeholder, fill), fill), TEXT_MIN,
                        f"{hex_of(over(placeholder, fill))} on {hex_of(fill)}")
        is_control = widget.type in CONTROL_TYPES or widget.id == "tile"
        if is_control and widget.sub is None:
            edge = rgba(decls.get("border-color", "none"))
            edge_ratio = ratio(over(edge, behind), behind) if edge is not None else 1.0
            fill_ratio = ratio(fill, behind)
            best = max(edge_ratio, fill_ratio)
            yield Check(sheet.name, f"edge or fill of {where}", best, NON_TEXT_MIN,
                        f"edge {hex_of(edge) if edge else 'none'} / fill {hex_of(fill)} on {hex_of(behind)}")
        if widget.sub in ("handle", "chunk"):
            track = resolve(sheet.rules, replace(widget, sub=None, pseudos=frozenset()), None).get("background", "")
            track_colour = over(rgba(track) or sheet.root, sheet.root)
            part = rgba(decls.get("background", ""))
            if part is not None:
                yield Check(sheet.name, f"{widget.text()} on its track", ratio(over(part, track_colour), track_colour),
                            NON_TEXT_MIN, f"{hex_of(part)} on {hex_of(track_colour)}")


def all_checks() -> list[Check]:
    scale = Scale.for_size(1080, 1920)
    found: list[Check] = []
    for name, qss in style_sheets(scale).items():
        found.extend(checks(load(name, qss)))
    return found


# -- the tests ----------------------------------------------------------------------------------
def test_the_formula_matches_published_values() -> None:
    """Black on white is 21:1; #767676 on white is the well-known 4.54:1."""
    assert ratio((0, 0, 0, 255), (255, 255, 255, 255)) == pytest.approx(21.0)
    assert ratio((0x76, 0x76, 0x76, 255), (255, 255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def test_the_cascade_resolves_like_qt() -> None:
    """The resolver follows the rules it relies on: specificity, order, ancestors, subclasses."""
    rules = parse('QWidget { color: #111111; } QPushButton { background: #222222; } '
                  'QPushButton[variant="p"] { background: #333333; } QPushButton:disabled { background: #444444; } '
                  'QFrame#header QPushButton { background: #555555; }')
    button = Compound("QPushButton", attrs=frozenset({("variant", "p")}))
    assert resolve(rules, button, None) == {"color": "#111111", "background": "#333333"}
    disabled = replace(button, attrs=frozenset(), pseudos=frozenset({"disabled"}))
    assert resolve(rules, disabled, None)["background"] == "#444444"
    assert resolve(rules, button, Compound("QFrame", id="header"))["background"] == "#555555"
    assert resolve(rules, Compound("QLabel"), None) == {"color": "#111111"}


def test_every_style_is_checked_for_what_it_defines() -> None:
    """The walk finds the states that matter (a broken parser would pass everything)."""
    found = {c.what for c in all_checks()}
    for expected in ('text of QPushButton[variant="primary"]:disabled', "placeholder of QLineEdit#search",
                     "text of QLabel#fieldOk", "edge or fill of QPushButton", "edge or fill of QFrame#tile",
                     "text of QLabel#statusHint", "text of QLabel#level[level=\"ok\"]",
                     "QScrollBar::handle:vertical on its track"):
        assert any(w == expected or w.startswith(expected + " on ") for w in found), expected


def test_every_colour_pair_meets_its_contrast() -> None:
    """Text 7:1, disabled text 4.5:1, a control's edge or fill 3:1: every style, every state, every panel."""
    failures = [str(c) for c in all_checks() if not c.ok]
    assert failures == [], "\n" + "\n".join(failures)


def report() -> str:
    """``python tests/gui/test_contrast.py``: every ratio, lowest first (for the issue's note)."""
    lines = sorted(all_checks(), key=lambda c: c.ratio / c.minimum)
    return "\n".join(("FAIL " if not c.ok else "ok   ") + str(c) for c in lines)


if __name__ == "__main__":
    print(report())
