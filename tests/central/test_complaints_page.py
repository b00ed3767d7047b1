"""The receipt's QR: the public status (JSON and a phone page with a strict CSP), nothing personal."""

from __future__ import annotations

import requests
from complaint_helpers import TEXT, action, call, complaint_body

from central_api.app import RunningCentral
from kiosk.sync.central_client import DeviceCredentials


def test_the_public_status_shows_no_personal_data(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = complaint_body()
    call(central, creds, "POST", "/complaints", body)
    public = requests.get(f"{central.url}/v1/public/complaints/{body['status_token']}", timeout=5)
    assert public.status_code == 200
    assert public.json() == {"reference": body["reference"], "category": "fees", "state": "received",
                             "filed_at": body["filed_at"], "first_response_at": None, "closed_at": None,
                             "outcome": None}
    page = requests.get(f"{central.url}/complaints/{body['reference']}/{body['status_token']}", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in page.text and "<script" not in page.text
    assert body["reference"] in page.text and "Biaya atau pungutan liar" in page.text and "Diterima" in page.text
    assert "Tanggapan pertama paling lambat" in page.text and "10-12-2026" in page.text  # 3 working days
    for personal in (TEXT[:20], "0812", "6281234567890", "KTP-EL", "A-012"):
        assert personal not in page.text and personal not in public.text


def test_the_page_follows_the_complaint(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = complaint_body(language="en")
    call(central, creds, "POST", "/complaints", body)
    call(central, creds, "POST", f"/complaints/{body['id']}/actions", action("close", outcome="not_substantiated"))
    page = requests.get(f"{central.url}/complaints/{body['reference']}/{body['status_token']}", timeout=5)
    assert '<html lang="en">' in page.text and "Closed" in page.text and "Not substantiated" in page.text
    assert "pengaduan-1" not in page.text  # no officer


def test_a_wrong_or_unknown_token_finds_nothing(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = complaint_body()
    call(central, creds, "POST", "/complaints", body)
    other = "A" * 22
    assert requests.get(f"{central.url}/v1/public/complaints/{other}", timeout=5).status_code == 404
    assert requests.get(f"{central.url}/v1/public/complaints/<script>", timeout=5).status_code == 422
    for path in (f"{body['reference']}/{other}", f"ADU-0000-0000/{body['status_token']}",
                 f"%3Cscript%3E/{body['status_token']}"):
        page = requests.get(f"{central.url}/complaints/{path}", timeout=5)
        assert page.status_code == 404 and "belum ditemukan" in page.text and "not found yet" in page.text
        assert "<script" not in page.text and "Content-Security-Policy" in page.headers
