"""The phone page behind the ticket's QR: server-rendered, then kept live by a small script.

:func:`phone_view` turns a ticket's status (:func:`kiosk.queue.status.ticket_status`) into what the
page shows, in the ticket's language: the state (``waiting``, ``near`` when 3 or fewer people are
ahead, ``called``, ``serving``, ``missed``, ``done``, ``gone``), the page title, the sentences, the
counter to go to and the alert line. The host sends the same view as the first HTML page
(:func:`status_page`) and, as JSON, over the page's event stream and its polling fallback, so the
script (:data:`kiosk.queue.phone_script.PHONE_SCRIPT`) only puts texts in place, never builds one.
The page works without the script (it then reloads every 30 s). Nothing personal is in a view: the
number and where it stands, never a name or NIK.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from kiosk.i18n import LANGUAGES, Translator
from kiosk.queue.phone_script import PHONE_SCRIPT
from kiosk.queue.status import ticket_status_lines
from kiosk.utils.html_template import HtmlTemplate

NEAR_AHEAD = 3  # "your turn is near" from this many people ahead (or fewer)
ALERT_STATES = ("near", "called")  # the states that vibrate, beep and change the title
LIVE_STATES = ("waiting", "near", "called", "serving", "missed")  # still worth watching (a no-show may come back)


def phone_state(status: Mapping[str, Any] | None) -> str:
    """The page's state for a ticket's status (None: no ticket has the token)."""
    if status is None:
        return "gone"
    if not status["valid_today"]:
        return "done"
    state = status["state"]
    if state == "issued":
        return "near" if status["people_ahead"] <= NEAR_AHEAD else "waiting"
    return {"called": "called", "serving": "serving", "no_show": "missed"}.get(state, "done")


def phone_view(status: Mapping[str, Any] | None, lang: str = "id", local_time: str = "") -> dict[str, Any]:
    """What the page shows now, in ``lang``: one dict for the first page, the event stream and the polling."""
    t = Translator(lang if lang in LANGUAGES else "id")
    state = phone_state(status)
    if status is None:
        return {"state": state, "number": "", "title": t("printing.status.title"), "go": "", "alert": "",
                "lines": [t("printing.status.not_found")], "updated": ""}
    number = status["number"]
    title, alert = t("printing.status.page_title", number=number), ""
    if state == "near":
        title, alert = t("phone_status.near_title", number=number), t("phone_status.near")
    elif state == "called":
        title = t("phone_status.called_title", number=number, counter=status["counter"])
        alert = t("phone_status.called")
    return {"state": state, "number": number, "title": title, "alert": alert,
            "go": t("printing.status.go_to", counter=status["counter"]) if state == "called" else "",
            "lines": ticket_status_lines(t, status),
            "updated": t("printing.status.updated", time=local_time) if local_time else ""}


#: Sized for a 70-year-old on a cheap phone (360-412 CSS px wide): the MPP's name on a dark band at the
#: top, text of 22-30 px, and the number alone on its line, never wrapped, as large as the width allows
#: (see :func:`_number_size`). Styles and script carry the response's CSP nonce: no inline attribute.
_PAGE = HtmlTemplate("""<!doctype html>
<html lang="$lang"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<noscript><meta http-equiv="refresh" content="30"></noscript>
<title>$title</title>
<style nonce="$nonce">
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:system-ui,"DejaVu Sans",Roboto,Arial,sans-serif;margin:0;background:#fff;color:#111;
font-size:24px;line-height:1.4}
header{background:#0b3d91;color:#fff;padding:14px 20px 16px}
main{padding:16px 20px 28px}
header>*,main>*{max-width:36rem;margin-left:auto;margin-right:auto}
.site{font-size:26px;font-weight:700;line-height:1.25;margin-top:0;margin-bottom:4px;overflow-wrap:anywhere}
.what{font-size:22px;margin-top:0;margin-bottom:0}
.label{font-size:24px;margin-top:0;margin-bottom:0}
.number{font-weight:800;line-height:1.15;white-space:nowrap;margin-top:0;margin-bottom:16px;font-size:$size}
.alert{font-size:30px;font-weight:800;line-height:1.25;border-radius:12px;padding:14px 18px;margin-top:0;
margin-bottom:16px}
.alert.near{background:#0b3d91;color:#fff}
.alert.called{background:#111;color:#ffd400}
.box{border:3px solid #111;border-radius:12px;padding:4px 18px;font-size:26px;font-weight:600}
.box p{margin:12px 0}
.box .go{font-size:min(48px,11vw);font-weight:800;line-height:1.15;margin-top:16px;margin-bottom:4px}
.called{background:#ffd400}
.note{font-size:22px;color:#333;margin-top:16px;margin-bottom:0}
.sound{display:block;width:100%;min-height:64px;margin-top:20px;font:inherit;font-size:24px;font-weight:700;
color:#0b3d91;background:#e8f0ff;border:3px solid #0b3d91;border-radius:12px;padding:10px 14px}
[hidden]{display:none!important}
</style></head>
<body data-state="$state"><header><p class="site">$site</p><p class="what">$what</p></header>
<main>$number
<p id="alert" class="alert $state" role="alert"$alert_hidden>$alert</p>
<div id="box" class="$box_class">$lines</div>
<button id="sound" class="sound" type="button" hidden>$sound</button>
<p id="updated" class="note"$updated_hidden>$updated</p><p id="refresh" class="note"$refresh_hidden>$refresh</p></main>
<script nonce="$nonce" id="texts" type="application/json">$texts</script>
<script nonce="$nonce">$script</script>
</body></html>
""")
_LINE = HtmlTemplate("<p>$text</p>")
_GO_TO = HtmlTemplate('<p class="go">$text</p>')
_NUMBER = HtmlTemplate('<p class="label">$label</p>\n<p id="number" class="number">$number</p>')
_NUMBER_MAX_PX = 128
_NUMBER_EM_PER_CHAR = 0.75  # bold digits ~0.7 em, "-" ~0.4 em, a wide prefix letter ("W") ~1 em: room to spare
_PAGE_PADDING_PX = 40


def _number_size(number: str) -> str:
    """The number's CSS font size: as large as fits the screen's width on one line, at most 128 px.

    ``white-space: nowrap`` keeps "A-005" on one line whatever happens; this keeps it on the screen."""
    ems = round(_NUMBER_EM_PER_CHAR * max(len(number), 4), 2)
    return f"min({_NUMBER_MAX_PX}px, calc((100vw - {_PAGE_PADDING_PX}px) / {ems}))"


def _script_texts(t: Translator) -> str:
    """The few words the script shows itself, as JSON inside a ``<script type="application/json">``.

    ``<`` is written as ``\\u003c`` so no text can close the element."""
    texts = {"live": t("phone_status.live"), "offline": t("phone_status.offline"),
             "sound_on": t("phone_status.sound_on")}
    return json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c")


def status_page(status: Mapping[str, Any] | None, lang: str = "id", local_time: str = "", site_name: str = "",
                nonce: str = "") -> str:
    """The first page for a phone, in the ticket's language (``lang``); ``site_name`` is the site config's
    name; ``nonce`` is the response's CSP nonce (empty: a page drawn from a file, by the self-test).

    Every value (the application number a kiosk sent too) is escaped by the template."""
    t = Translator(lang if lang in LANGUAGES else "id")
    view = phone_view(status, t.lang, local_time)
    number, state = view["number"], view["state"]
    lines = _GO_TO.render(text=view["go"]) if view["go"] else Markup("")
    live = state in LIVE_STATES  # a finished ticket's page has nothing more to wait for
    return str(_PAGE.render(
        lang=t.lang, title=view["title"], nonce=nonce, state=state, size=_number_size(number),
        site=site_name.strip() or t("printing.status.site_unknown"), what=t("printing.status.title"),
        number=_NUMBER.render(label=t("printing.status.number_label"), number=number) if number else "",
        alert=view["alert"], alert_hidden=Markup("" if view["alert"] else " hidden"),
        box_class="box called" if state == "called" else "box",
        lines=lines + _LINE.join([{"text": line} for line in view["lines"]]),
        sound=t("phone_status.sound"),
        updated=view["updated"], updated_hidden=Markup("" if view["updated"] else " hidden"),
        refresh=t("printing.status.refresh") if live else "", refresh_hidden=Markup("" if live else " hidden"),
        texts=Markup(_script_texts(t)), script=Markup(PHONE_SCRIPT)))
