"""The complaint routes of the reference central API (shapes in :mod:`central_api.complaint_contract`,
storage in :mod:`central_api.complaint_store`, rules in :mod:`kiosk.complaints`).

* ``POST /v1/complaints`` (signed): 201 the first time, 200 (``Idempotent-Replayed``) for the same
  body again, 422 ``idempotency_conflict`` for the same id with another body; 422 ``invalid_complaint``
  when the kiosk's own rules refuse it (the message names the fields, never the values); 422
  ``other_mpp`` when the body names another MPP than the device's (the sync flags that one complaint
  for IT rather than stopping every upload).
* ``GET /v1/complaints``, ``GET /v1/complaints/{id}``, ``POST /v1/complaints/{id}/actions`` (signed):
  the officer's console, only for the complaints of the device's own MPP (403 ``other_mpp`` for a
  list of another, 404 for one of another's complaints: no oracle). An action is applied once per
  ``action_id``; 409 ``not_allowed`` when :mod:`kiosk.complaints.states` refuses it.
* ``GET /v1/public/complaints/{token}`` and ``GET /complaints/{reference}/{token}`` (the receipt's QR):
  reference, category, state and dates, nothing personal; the page has a strict Content-Security-Policy.

A device's MPP is the one the bookings keep (:meth:`central_api.booking_store.BookingStore.claim`):
fixed at its first claim, by enrollment with ``mpp_code`` or its first MPP-bound request.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup

from central_api.booking_contract import MPP_CODE_PATTERN
from central_api.complaint_contract import (
    REFERENCE_PATTERN,
    TOKEN_PATTERN,
    ActionBody,
    Complaint,
    ComplaintBody,
    ComplaintReceived,
    ComplaintsAnswer,
    PublicComplaint,
)
from central_api.complaint_store import PUBLIC_FIELDS, ActionNotAllowed, ComplaintNotFound, ComplaintStore, NewAction
from central_api.contract import SIGNED_ERRORS, UUID_PATTERN, ApiError, ErrorBody, responses
from central_api.stores import IdConflict
from kiosk.complaints.clocks import ComplaintClocks, WorkingCalendar
from kiosk.complaints.model import Category, NewComplaint, check_complaint
from kiosk.complaints.states import Action, ActionRequest, Outcome, action_problems
from kiosk.i18n import Translator
from kiosk.utils.html_template import HtmlTemplate

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_TZ = ZoneInfo("Asia/Jakarta")  # the page's dates; the central API does not know each MPP's zone
_PAGE = HtmlTemplate((TEMPLATES / "complaint_status.html").read_text(encoding="utf-8"))
_FOUND = HtmlTemplate("<h1>$title</h1><p>$reference_label<br><span class=ref id=reference>$reference</span></p>"
                      "<p><span class=state id=state>$state</span></p><dl>$rows</dl><p class=note>$note</p>")
_ROW = HtmlTemplate("<dt>$label</dt><dd>$value</dd>")
_NOT_FOUND = HtmlTemplate("<h1>$title_id · $title_en</h1><p lang=id>$id</p><p lang=en>$en</p>")


_REVOKED: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "device_revoked: regional IT revoked this device."}}


class MppBinding(Protocol):
    """Which MPP a device belongs to (the bookings' store keeps it)."""

    def claim(self, device_id: str, mpp_code: str) -> str: ...
    def device_mpp(self, device_id: str) -> str | None: ...


def _canonical_sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def _complaint_problems(body: ComplaintBody) -> str:
    """The kiosk's rules on the body, in English words naming the fields (never the values)."""
    contact = body.contact
    complaint = NewComplaint(category=Category(body.category), text=body.text, service_code=body.service_code,
                             ticket_number=body.ticket_number, phone=contact.phone if contact else None,
                             email=contact.email if contact else None, anonymous=contact is None,
                             share_contact=body.share_contact, language=body.language, channel=body.channel,
                             filed_by=body.filed_by)
    t = Translator("en")
    return "; ".join(f"{p.field}: {t(p.key, **p.kwargs)}" for p in check_complaint(complaint))


def _binding(app: FastAPI) -> MppBinding | None:
    return getattr(app.state, "bookings", None)


def add_complaint_routes(app: FastAPI, complaints: ComplaintStore | None, *, signed: Callable[..., Any]) -> None:
    """Add the complaint routes; ``complaints`` is None only when the app is built for its OpenAPI document."""
    app.state.complaints = complaints
    _add_filing_route(app, complaints, signed)
    _add_officer_routes(app, complaints, signed)
    _add_public_routes(app, complaints)


def _device_in(app: FastAPI, device_id: str, mpp_code: str) -> bool:
    """Whether the device belongs to ``mpp_code`` (claimed for it now when it belongs to none yet)."""
    _not_revoked(app, device_id)
    binding = _binding(app)
    return binding is None or binding.claim(device_id, mpp_code) == mpp_code


def _not_revoked(app: FastAPI, device_id: str) -> None:
    """A device regional IT revoked on the fleet page reads and files no complaint (403, as for bookings)."""
    fleet = getattr(app.state, "fleet", None)
    if fleet is not None and fleet.is_revoked(device_id):
        raise ApiError(403, "device_revoked", "This device was revoked by regional IT; enroll it again.")


def _own(app: FastAPI, complaints: ComplaintStore, complaint_id: str, device_id: str) -> None:
    """404 unless the complaint exists and belongs to the device's MPP (another MPP's looks unknown)."""
    _not_revoked(app, device_id)
    mpp = complaints.mpp_of(complaint_id)
    binding = _binding(app)
    if mpp is None or (binding is not None and binding.device_mpp(device_id) != mpp):
        raise ApiError(404, "not_found", "No complaint with this id.")


def _add_filing_route(app: FastAPI, complaints: ComplaintStore | None, signed: Callable[..., Any]) -> None:
    @app.post("/v1/complaints", tags=["complaints"], status_code=201, response_model=ComplaintReceived,
              responses={200: {"model": ComplaintReceived, "description": "The same complaint again: the stored "
                               "answer, nothing new stored."}, **_REVOKED, **responses(*SIGNED_ERRORS)})
    def file_complaint(body: ComplaintBody, caller: Any = Depends(signed),  # noqa: B008 - FastAPI
                       idempotency_key: Annotated[str | None, Header(
                           pattern=UUID_PATTERN, description="Optional; the body's id when sent.")] = None
                       ) -> JSONResponse:
        """File one complaint, once for ever by its id (the kiosk's outbox sends it until confirmed)."""
        assert complaints is not None
        if idempotency_key is not None and idempotency_key != body.id:
            raise ApiError(422, "idempotency_key_mismatch", "Idempotency-Key must equal the complaint id.")
        problems = _complaint_problems(body)
        if problems:
            raise ApiError(422, "invalid_complaint", problems)
        if not _device_in(app, caller.device_id, body.mpp_code):
            raise ApiError(422, "other_mpp", f"This device does not belong to {body.mpp_code}; check [site] mpp_code.")
        content = body.model_dump(mode="json")
        try:
            answer, created = complaints.file(content, caller.device_id, _canonical_sha256(content))
        except IdConflict:
            raise ApiError(422, "idempotency_conflict",
                           f"Complaint {body.id} was already filed with a different body.") from None
        if created:
            log.info("complaint %s received (%s, %s, %s)", body.reference, body.category, body.channel, body.mpp_code)
        return JSONResponse(answer, status_code=201 if created else 200,
                            headers=None if created else {"Idempotent-Replayed": "true"})


def _add_officer_routes(app: FastAPI, complaints: ComplaintStore | None, signed: Callable[..., Any]) -> None:
    @app.get("/v1/complaints", tags=["complaints"], response_model=ComplaintsAnswer,
             responses={403: {"model": ErrorBody, "description": "other_mpp: the device belongs to another MPP; "
                              "device_revoked: regional IT revoked it."}, **responses(*SIGNED_ERRORS)})
    def list_complaints(mpp_code: Annotated[str, Query(pattern=MPP_CODE_PATTERN, description="The device's MPP.")],
                        state: Literal["open", "closed", "all"] = "open",
                        limit: Annotated[int, Query(ge=1, le=5000, description="The newest this many.")] = 1000,
                        caller: Any = Depends(signed)) -> dict[str, Any]:  # noqa: B008 - FastAPI
        """The MPP's complaints in ``state`` (open = not closed), oldest first, with their actions."""
        assert complaints is not None
        if not _device_in(app, caller.device_id, mpp_code):
            raise ApiError(403, "other_mpp", f"This device does not belong to {mpp_code}.")
        return {"complaints": complaints.list(mpp_code, state, limit)}

    @app.get("/v1/complaints/{complaint_id}", tags=["complaints"], response_model=Complaint,
             responses={404: {"model": ErrorBody, "description": "No complaint with this id at the device's MPP."},
                        **_REVOKED, **responses(*SIGNED_ERRORS)})
    def get_complaint(complaint_id: Annotated[str, PathParam(pattern=UUID_PATTERN)],
                      caller: Any = Depends(signed)) -> dict[str, Any]:  # noqa: B008 - FastAPI
        assert complaints is not None
        _own(app, complaints, complaint_id, caller.device_id)
        found = complaints.get(complaint_id)
        assert found is not None
        return found

    @app.post("/v1/complaints/{complaint_id}/actions", tags=["complaints"], response_model=Complaint,
              responses={404: {"model": ErrorBody, "description": "No complaint with this id at the device's MPP."},
                         409: {"model": ErrorBody, "description": "not_allowed: the rules refuse this action now "
                               "(the complaint is closed)."}, **_REVOKED, **responses(*SIGNED_ERRORS)})
    def act(complaint_id: Annotated[str, PathParam(pattern=UUID_PATTERN)], body: ActionBody,
            caller: Any = Depends(signed)) -> JSONResponse:  # noqa: B008 - FastAPI
        """Respond, forward or close; the same ``action_id`` again answers the complaint, applied once."""
        assert complaints is not None
        request = ActionRequest(Action(body.action), body.text, body.officer, body.agency,
                                Outcome(body.outcome) if body.outcome else None)
        problems = action_problems(request)
        if problems:
            t = Translator("en")
            raise ApiError(422, "invalid_action", "; ".join(f"{field}: {t(key)}" for field, key in problems))
        _own(app, complaints, complaint_id, caller.device_id)
        action = NewAction(body.action_id, request.action, body.text, body.officer, body.agency, body.outcome)
        try:
            found, applied = complaints.act(complaint_id, action, _canonical_sha256(body.model_dump(mode="json")))
        except ComplaintNotFound:
            raise ApiError(404, "not_found", "No complaint with this id.") from None
        except ActionNotAllowed as exc:
            raise ApiError(409, "not_allowed", f"{body.action} is not allowed: the complaint is {exc.state}.") from None
        except IdConflict:
            raise ApiError(422, "idempotency_conflict",
                           f"Action {body.action_id} was already used for another action.") from None
        if applied:
            log.info("complaint %s: %s by %s", complaint_id, body.action, body.officer)
        return JSONResponse(found, headers=None if applied else {"Idempotent-Replayed": "true"})


def _add_public_routes(app: FastAPI, complaints: ComplaintStore | None) -> None:
    @app.get("/v1/public/complaints/{token}", tags=["citizen"], response_model=PublicComplaint,
             responses={404: {"model": ErrorBody, "description": "No complaint with this token (yet)."},
                        **responses(400, 422, 503)})
    def public_complaint(token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)]) -> dict[str, Any]:
        """What the receipt's QR shows (no signature): reference, category, state, dates; nothing personal."""
        assert complaints is not None
        found = complaints.public(token)
        if found is None:
            raise ApiError(404, "not_found", "No complaint with this token (it may not have arrived yet).")
        return {k: found[k] for k in PUBLIC_FIELDS}

    @app.get("/complaints/{reference}/{token}", include_in_schema=False, response_class=HTMLResponse)
    def complaint_page(reference: Annotated[str, PathParam(max_length=40)],
                       token: Annotated[str, PathParam(max_length=40)], request: Request) -> HTMLResponse:
        """The page the receipt's QR opens: no script, one nonce'd style, never cached, never framed.

        Like the applications' ``/status`` page it is left out of the OpenAPI document (HTML for people,
        not part of the API); ``GET /v1/public/complaints/{token}`` is its documented JSON twin."""
        assert complaints is not None
        found = None
        if re.fullmatch(REFERENCE_PATTERN, reference) and re.fullmatch(TOKEN_PATTERN, token):
            found = complaints.public(token)
            if found is not None and found["reference"] != reference:
                found = None
        nonce = secrets.token_urlsafe(16)
        body, lang = (_not_found(), "id") if found is None else (_found(found), found.get("language", "id"))
        title = Translator(lang)("complaint_rules.page.title")
        page = _PAGE.render(lang=lang, title=title, nonce=nonce, body=body)
        return HTMLResponse(str(page), status_code=200 if found else 404, headers=_page_headers(nonce))


def _page_headers(nonce: str) -> dict[str, str]:
    """Never cached (the token is in the address), no referrer, only its own nonce'd style, never framed."""
    policy = (f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'none'; script-src 'none'; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return {"Cache-Control": "no-store", "Content-Security-Policy": policy, "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


def _day(iso: str | None) -> str:
    return "" if not iso else datetime.fromisoformat(iso).astimezone(PAGE_TZ).strftime("%d-%m-%Y")


def _found(found: dict[str, Any]) -> Markup:
    t = Translator(found.get("language", "id"))
    filed = datetime.fromisoformat(found["filed_at"])
    first = datetime.fromisoformat(found["first_response_at"]) if found["first_response_at"] else None
    clocks = ComplaintClocks.of(filed, first, None, filed, WorkingCalendar(tz=PAGE_TZ))
    rows = [("category", t(f"complaint_rules.category.{found['category']}")), ("filed", _day(found["filed_at"]))]
    if first is None:
        rows.append(("first_response_due", _day(clocks.first_response_due.isoformat())))
    else:
        rows.append(("first_response", _day(found["first_response_at"])))
    if found["closed_at"]:
        rows += [("closed", _day(found["closed_at"])), ("outcome", t(f"complaint_rules.outcome.{found['outcome']}"))]
    else:
        rows.append(("resolution_due", _day(clocks.resolution_due.isoformat())))
    return _FOUND.render(title=t("complaint_rules.page.title"), reference_label=t("complaint_rules.page.reference"),
                         reference=found["reference"], state=t(f"complaint_rules.state.{found['state']}"),
                         rows=_ROW.join([{"label": t(f"complaint_rules.page.{k}"), "value": v} for k, v in rows]),
                         note=t("complaint_rules.page.note"))


def _not_found() -> Markup:
    id_, en = Translator("id"), Translator("en")
    return _NOT_FOUND.render(title_id=id_("complaint_rules.page.title"), title_en=en("complaint_rules.page.title"),
                             id=id_("complaint_rules.page.not_found"), en=en("complaint_rules.page.not_found"))
