"""The service catalog: which services this MPP offers, read from JSON and searched by citizens.

The catalog is data, not code, because the central MPP Digital API replaces it (same format as the
shipped ``config/services.json``) and regions tune counters and quotas without a release. Everything
is checked on load so a typo in a file stops the app with one message naming the file and the key,
instead of surfacing later as a blank button or a ticket that never gets called.

Pure Python on purpose: the kiosk, the queue host and the tests all use it, none of them with Qt.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import typing
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kiosk.storage.datafile import JsonChecker, did_you_mean, show
from kiosk.utils.paths import bundled_config_dir

SlaUnit = Literal["minute", "hour", "day", "working_day"]
SLA_UNITS: tuple[str, ...] = typing.get_args(SlaUnit)
LANGUAGES: tuple[str, ...] = ("id", "en")

_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,39}")
_PREFIX = re.compile(r"[A-Z]")
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Search tiers: a whole word beats the start of a word beats a piece of a word beats a guess.
_EXACT, _PREFIX_MATCH, _SUBSTRING, _FUZZY = 3.0, 2.0, 1.0, 0.5
_AGENCY = 2.0           # the agency name is context, so it never outranks the service's own words
_PHRASE_BONUS = 5.0     # the whole query is a keyword, the code or a name: what the citizen meant
_LANG_BONUS = 0.1       # only breaks ties, in favour of the name the citizen is reading
_SUBSTRING_MIN = 3      # "el" inside every "kelahiran" would only be noise
_FUZZY_MIN = 5          # shorter words have too many neighbours to guess from
_FUZZY_CUTOFF = 0.8


class CatalogError(Exception):
    """A catalog that cannot be used; the message names the file (or URL) and what is wrong."""


@dataclass(frozen=True)
class LocalText:
    """A text in Bahasa Indonesia and English; Indonesian is the fallback for any other language."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.id


@dataclass(frozen=True)
class Agency:
    code: str
    name: LocalText
    short_name: LocalText  # fits a tab on a portrait kiosk; the full name is shown elsewhere


@dataclass(frozen=True)
class Sla:
    """The promised completion time, kept as amount + unit so each language can phrase it."""

    amount: int
    unit: SlaUnit


@dataclass(frozen=True)
class Service:
    code: str
    agency: str
    name: LocalText
    description: LocalText
    keywords: tuple[str, ...]
    requirements: tuple[LocalText, ...]
    fee_idr: int
    sla: Sla
    ticket_prefix: str
    daily_quota: int
    counters: tuple[int, ...]
    identity_required: bool
    face_check: bool
    application_form: bool
    typical_service_minutes: int
    # Cannot be done at all without a NIK (an IKD activation is the NIK's own digital card): a visitor
    # without one is told so before queueing and offered the information desk instead. Every other
    # service takes a visitor without a NIK, whose identity the clerk then checks (kiosk.visit.flow).
    nik_required: bool = False
    # The regulations the requirements come from (docs/catalog-sources.md lists what is not verified).
    source: str = ""


@dataclass(frozen=True)
class _SearchEntry:
    words: frozenset[str]
    text: str
    phrases: frozenset[str]
    agency_words: frozenset[str]
    name_words: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Catalog:
    """All services of one catalog version; lookups and search are precomputed once at build time."""

    version: str
    agencies: tuple[Agency, ...]
    services: tuple[Service, ...]
    information_desk: str | None = None  # the code of the service a visitor is sent to when no other fits
    _services_by_code: Mapping[str, Service] = field(init=False, repr=False, compare=False)
    _agencies_by_code: Mapping[str, Agency] = field(init=False, repr=False, compare=False)
    _index: tuple[_SearchEntry, ...] = field(init=False, repr=False, compare=False)
    _vocabulary: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        agencies = {a.code: a for a in self.agencies}
        index = tuple(_index_entry(s, agencies.get(s.agency)) for s in self.services)
        vocabulary = sorted({w for e in index for w in e.words if len(w) >= _SUBSTRING_MIN})
        object.__setattr__(self, "_services_by_code", {s.code: s for s in self.services})
        object.__setattr__(self, "_agencies_by_code", agencies)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_vocabulary", tuple(vocabulary))

    def service(self, code: str) -> Service:
        try:
            return self._services_by_code[code]
        except KeyError:
            raise KeyError(f"no service with code {code!r} in catalog {self.version}") from None

    def agency(self, code: str) -> Agency:
        try:
            return self._agencies_by_code[code]
        except KeyError:
            raise KeyError(f"no agency with code {code!r} in catalog {self.version}") from None

    def desk(self) -> Service | None:
        """The information desk as a service (a ticket to it), when the catalog names one."""
        return self._services_by_code.get(self.information_desk) if self.information_desk else None

    def services_of(self, agency_code: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.agency == agency_code)

    def search(self, query: str, lang: str = "id") -> list[Service]:
        """Services matching every word of ``query``, best first; ties keep catalog order.

        Citizens type the way they speak ("ktp", "akte", "perwat"), so punctuation, case and
        accents are ignored and an unknown word of five letters or more is matched to its closest
        catalog word.
        """
        tokens = _normalize(query).split()
        if not tokens:
            return list(self.services)
        totals: list[float | None] = [0.0] * len(self.services)
        for token in tokens:
            scores = [_token_score(entry, token, lang) for entry in self._index]
            if not any(scores) and len(token) >= _FUZZY_MIN:
                close = set(difflib.get_close_matches(token, self._vocabulary, n=3, cutoff=_FUZZY_CUTOFF))
                scores = [_FUZZY if close & entry.words else 0.0 for entry in self._index]
            totals = [t + s if t is not None and s else None for t, s in zip(totals, scores, strict=True)]
        phrase, joined = " ".join(tokens), "".join(tokens)
        ranked: list[tuple[float, int]] = []
        for i, (total, entry) in enumerate(zip(totals, self._index, strict=True)):
            if total is None:
                continue
            if phrase in entry.phrases or joined in entry.phrases:
                total += _PHRASE_BONUS
            ranked.append((-total, i))
        ranked.sort()
        return [self.services[i] for _, i in ranked]

    def with_counters(self, counters: Mapping[int, Sequence[str]]) -> Catalog:
        """This catalog with the site's counter layout: each service listed gets exactly those counters.

        Buildings differ in how many counters an agency staffs, so the site config wins over the
        catalog; services no counter lists keep the catalog's counters.
        """
        assigned: dict[str, set[int]] = {}
        for number, codes in counters.items():
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise CatalogError(
                    f"site counters: a counter number must be a whole number of 1 or more, got {number!r}")
            if isinstance(codes, str):
                raise CatalogError(f"site counters: counter {number} must list service codes, got the text {codes!r}")
            for code in codes:
                if code not in self._services_by_code:
                    raise CatalogError(
                        f"site counters: counter {number} lists unknown service {code!r}"
                        f" (not in catalog {self.version}){did_you_mean(code, self._services_by_code)}")
                assigned.setdefault(code, set()).add(number)
        services = tuple(
            dataclasses.replace(s, counters=tuple(sorted(assigned[s.code]))) if s.code in assigned else s
            for s in self.services)
        return dataclasses.replace(self, services=services)


def default_catalog_path() -> Path:
    return bundled_config_dir() / "services.json"


def load_catalog(path: Path) -> Catalog:
    """Read and check a catalog file; every way it can fail becomes a CatalogError for regional IT."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"{source}: the service catalog file does not exist") from None
    except IsADirectoryError:
        raise CatalogError(f"{source}: is a folder, not a service catalog file") from None
    except OSError as exc:
        raise CatalogError(f"{source}: cannot read the service catalog file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{source}: is not UTF-8 text (bad byte at position {exc.start})") from None
    if not text.strip():
        raise CatalogError(f"{source}: the file is empty; expected a JSON service catalog")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{source}: is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    return parse_catalog(data, source)


def parse_catalog(data: object, source: str) -> Catalog:
    """Check the decoded JSON (from a file or the central API) and build the catalog.

    Strict on purpose, unknown keys included: a misspelt key would otherwise be silently ignored
    and the service would run with a value nobody chose.
    """
    return _Parser(source).catalog(data)


# --- validation ------------------------------------------------------------------------------

_TOP_REQUIRED = ("version", "agencies", "services")
_TOP_OPTIONAL = ("notes", "information_desk")
_AGENCY_KEYS = ("code", "name", "short_name")
# A catalog from before issue 16 leaves nik_required out (every service then takes a visitor without a
# NIK); one from before issue 20 has no source.
_SERVICE_OPTIONAL = ("nik_required", "source")
_SERVICE_KEYS = tuple(f.name for f in dataclasses.fields(Service) if f.name not in _SERVICE_OPTIONAL)
_SLA_KEYS = ("amount", "unit")


class _Parser(JsonChecker):
    """Walks the catalog JSON once; every message says where the problem is."""

    error = CatalogError
    whole = "the catalog"

    def catalog(self, data: object) -> Catalog:
        top = self.mapping(data, "", _TOP_REQUIRED, _TOP_OPTIONAL, what="a JSON object")
        version = self.text(top["version"], "version")
        if "notes" in top and not isinstance(top["notes"], str):
            self.fail("notes", f"must be text, got {show(top['notes'])}")
        agencies = tuple(self.agency(item, f"agencies[{i}]")
                         for i, item in enumerate(self.array(top["agencies"], "agencies", min_items=1)))
        seen_agencies: set[str] = set()
        for i, agency in enumerate(agencies):
            if agency.code in seen_agencies:
                self.fail(f"agencies[{i}].code", f"{agency.code!r} is used by two agencies")
            seen_agencies.add(agency.code)
        services: list[Service] = []
        seen_services: set[str] = set()
        for i, item in enumerate(self.array(top["services"], "services", min_items=1)):
            where = f"services[{i}]"
            service = self.service(item, where)
            if service.code in seen_services:
                self.fail(f"{where}.code", f"{service.code!r} is used by two services; codes must be unique")
            if service.agency not in seen_agencies:
                self.fail(f"{where}.agency", f"{service.agency!r} is not one of the agencies "
                          f"({', '.join(sorted(seen_agencies))}){did_you_mean(service.agency, seen_agencies)}")
            seen_services.add(service.code)
            services.append(service)
        desk = self.desk(top.get("information_desk"), services)
        return Catalog(version=version, agencies=agencies, services=tuple(services), information_desk=desk)

    def desk(self, code: object, services: list[Service]) -> str | None:
        """The information desk must be a service anyone can queue for: no identity, no NIK."""
        if code is None:
            return None
        code = self.text(code, "information_desk")
        found = next((s for s in services if s.code == code), None)
        if found is None:
            self.fail("information_desk", f"{code!r} is not one of the services"
                      f"{did_you_mean(code, [s.code for s in services])}")
        elif found.identity_required or found.nik_required:
            self.fail("information_desk", f"{code!r} must be a service without identity_required and nik_required "
                      "(a visitor without a NIK is sent there)")
        return code

    def agency(self, data: object, where: str) -> Agency:
        obj = self.mapping(data, where, _AGENCY_KEYS)
        return Agency(code=self.code(obj["code"], f"{where}.code"), name=self.local(obj["name"], f"{where}.name"),
                      short_name=self.local(obj["short_name"], f"{where}.short_name"))

    def service(self, data: object, where: str) -> Service:
        obj = self.mapping(data, where, _SERVICE_KEYS, _SERVICE_OPTIONAL)

        def at(key: str) -> str:
            return f"{where}.{key}"

        code = self.code(obj["code"], at("code"))
        agency = self.text(obj["agency"], at("agency"))
        name = self.local(obj["name"], at("name"))
        description = self.local(obj["description"], at("description"))
        keywords = tuple(self.text(k, f"{at('keywords')}[{i}]")
                         for i, k in enumerate(self.array(obj["keywords"], at("keywords"))))
        requirements = tuple(self.local(r, f"{at('requirements')}[{i}]")
                             for i, r in enumerate(self.array(obj["requirements"], at("requirements"))))
        fee_idr = self.integer(obj["fee_idr"], at("fee_idr"), minimum=0)
        sla = self.sla(obj["sla"], at("sla"))
        prefix = obj["ticket_prefix"]
        if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
            self.fail(at("ticket_prefix"), f"must be one uppercase letter, got {show(prefix)}")
        daily_quota = self.integer(obj["daily_quota"], at("daily_quota"), minimum=1)
        counters = tuple(self.integer(c, f"{at('counters')}[{i}]", minimum=1)
                         for i, c in enumerate(self.array(obj["counters"], at("counters"), min_items=1)))
        for number in counters:
            if counters.count(number) > 1:
                self.fail(at("counters"), f"lists counter {number} twice")
        return Service(
            code=code,
            agency=agency,
            name=name,
            description=description,
            keywords=keywords,
            requirements=requirements,
            fee_idr=fee_idr,
            sla=sla,
            ticket_prefix=prefix,
            daily_quota=daily_quota,
            counters=counters,
            identity_required=self.boolean(obj["identity_required"], at("identity_required")),
            face_check=self.boolean(obj["face_check"], at("face_check")),
            application_form=self.boolean(obj["application_form"], at("application_form")),
            typical_service_minutes=self.integer(obj["typical_service_minutes"], at("typical_service_minutes"),
                                                 minimum=1),
            nik_required=self.boolean(obj.get("nik_required", False), at("nik_required")),
            source=self.text(obj["source"], at("source")) if "source" in obj else "",
        )

    def sla(self, data: object, where: str) -> Sla:
        obj = self.mapping(data, where, _SLA_KEYS)
        amount = self.integer(obj["amount"], f"{where}.amount", minimum=1)
        unit = obj["unit"]
        if unit not in SLA_UNITS:
            self.fail(f"{where}.unit", f"must be one of {', '.join(SLA_UNITS)}, got {show(unit)}")
        return Sla(amount=amount, unit=typing.cast(SlaUnit, unit))

    def local(self, data: object, where: str) -> LocalText:
        obj = self.mapping(data, where, LANGUAGES, what="a text in both languages")
        return LocalText(id=self.text(obj["id"], f"{where}.id"), en=self.text(obj["en"], f"{where}.en"))

    def code(self, data: object, where: str) -> str:
        value = self.text(data, where)
        if not _CODE.fullmatch(value):
            self.fail(where, f"must be capitals, digits and dashes (at most 40), got {value!r}")
        return value


# --- search ----------------------------------------------------------------------------------

def _normalize(text: str) -> str:
    """Lower case, accents and punctuation gone, single spaces: "KTP-el" and "ktp el" are equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", plain).split())


def _index_entry(service: Service, agency: Agency | None) -> _SearchEntry:
    own = [service.code, service.name.id, service.name.en, *service.keywords]
    phrases: set[str] = set()
    words: set[str] = set()
    for text in own:
        norm = _normalize(text)
        phrases.update((norm, norm.replace(" ", "")))
        words.update(norm.split())
        words.add(norm.replace(" ", ""))  # "e-ktp" is also typed "ektp"
    words.discard("")
    phrases.discard("")
    agency_words: set[str] = set()
    if agency is not None:
        for text in (agency.code, agency.name.id, agency.name.en):
            agency_words.update(_normalize(text).split())
    return _SearchEntry(
        words=frozenset(words),
        text=" | ".join(_normalize(t) for t in own),
        phrases=frozenset(phrases),
        agency_words=frozenset(agency_words),
        name_words={lang: frozenset(_normalize(service.name.get(lang)).split()) for lang in LANGUAGES},
    )


def _token_score(entry: _SearchEntry, token: str, lang: str) -> float:
    if token in entry.words:
        score = _EXACT
    elif any(word.startswith(token) for word in entry.words):
        score = _PREFIX_MATCH
    elif len(token) >= _SUBSTRING_MIN and token in entry.text:
        score = _SUBSTRING
    else:
        score = 0.0
    if token in entry.agency_words:
        score = max(score, _AGENCY)
    if score and token in entry.name_words.get(lang, entry.name_words["id"]):
        score += _LANG_BONUS
    return score
