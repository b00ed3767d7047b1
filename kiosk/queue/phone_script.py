"""The phone page's script (:mod:`kiosk.queue.phone_page`): keeps the page live and calls the citizen.

It listens to ``<page>/events`` (Server-Sent Events: an ``event: view`` with the page's view as JSON
on every change of the ticket's standing, and every 15 s anyway). When the stream fails (an error
three times in a row, a proxy that buffers it, a refusal because too many are open, or 40 s without a
message) it polls ``<page>/view`` every :data:`POLL_SECONDS` seconds instead. Addresses are relative to
the page's own, so a reverse proxy that serves the page elsewhere serves these beside it.

On entering ``near`` or ``called`` it vibrates (``navigator.vibrate``) and, once the citizen has
touched "Sentuh untuk mengaktifkan suara" (browsers allow sound and vibration only after a touch),
beeps with WebAudio; the title and the alert line come from the view. Texts are put with
``textContent``, never parsed as HTML. Plain ES5 in one string: no build step; it runs under the
page's CSP nonce.
"""

from __future__ import annotations

POLL_SECONDS = 5  # the fallback's interval; the stream itself pushes each change at once
SILENCE_SECONDS = 40  # the host sends a view at least every 15 s: this long without one, the stream is dead

_SOURCE = """
(function () {
  "use strict";
  var POLL_MS = $POLL * 1000, SILENCE_MS = $SILENCE * 1000;
  var ALERTS = {near: [300, 150, 300], called: [600, 200, 600, 200, 600]};
  var LIVE = {waiting: 1, near: 1, called: 1, serving: 1, missed: 1};
  var body = document.body, state = body.getAttribute("data-state");
  var texts = JSON.parse(document.getElementById("texts").textContent);
  var base = location.pathname.replace(/\\/+$/, ""), query = location.search;
  var source = null, poller = null, watchdog = null, errors = 0, audio = null, soundOn = false;
  var sound = document.getElementById("sound"), refresh = document.getElementById("refresh");

  function put(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; el.hidden = !text; }
  }

  function beep(count) {
    if (!audio) { return; }
    var start = audio.currentTime + 0.05;
    for (var i = 0; i < count; i++) {
      var osc = audio.createOscillator(), gain = audio.createGain(), at = start + i * 0.4;
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.6, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(at);
      osc.stop(at + 0.3);
    }
  }

  function ring(kind) {
    try { if (navigator.vibrate) { navigator.vibrate(ALERTS[kind]); } } catch (e) { /* not allowed yet */ }
    beep(kind === "called" ? 3 : 2);
  }

  function show(view) {
    document.title = view.title;
    put("number", view.number);
    var alert = document.getElementById("alert");
    alert.className = "alert " + view.state;
    put("alert", view.alert);
    var box = document.getElementById("box");
    box.className = view.state === "called" ? "box called" : "box";
    while (box.firstChild) { box.removeChild(box.firstChild); }
    var lines = view.go ? [[view.go, "go"]] : [];
    for (var i = 0; i < view.lines.length; i++) { lines.push([view.lines[i], ""]); }
    for (var j = 0; j < lines.length; j++) {
      var p = document.createElement("p");
      p.textContent = lines[j][0];
      if (lines[j][1]) { p.className = lines[j][1]; }
      box.appendChild(p);
    }
    put("updated", view.updated);
    body.setAttribute("data-state", view.state);
    if (view.state !== state && ALERTS[view.state]) { ring(view.state); }
    state = view.state;
    if (!LIVE[state]) { stop(); sound.hidden = true; put("refresh", ""); }
  }

  function stop() {
    if (source) { source.close(); source = null; }
    if (poller) { clearInterval(poller); poller = null; }
    clearTimeout(watchdog);
  }

  function offline(lost) { put("refresh", lost ? texts.offline : (soundOn ? texts.sound_on + " " : "") + texts.live); }

  function poll() {
    fetch(base + "/view" + query, {cache: "no-store", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (view) { offline(false); show(view); })
      .catch(function () { offline(true); });
  }

  function fallBack() {
    if (source) { source.close(); source = null; }
    clearTimeout(watchdog);
    if (!poller && LIVE[state]) { poller = setInterval(poll, POLL_MS); poll(); }
  }

  function alive() {
    clearTimeout(watchdog);
    watchdog = setTimeout(fallBack, SILENCE_MS);
  }

  function listen() {
    if (!window.EventSource) { fallBack(); return; }
    source = new EventSource(base + "/events" + query);
    source.addEventListener("view", function (event) {
      errors = 0;
      alive();
      offline(false);
      show(JSON.parse(event.data));
    });
    source.addEventListener("busy", fallBack);  // the host has too many streams open: poll instead
    source.onerror = function () {
      errors += 1;
      if (!source || source.readyState === 2 || errors >= 3) { fallBack(); }
    };
    alive();
  }

  sound.addEventListener("click", function () {
    var Context = window.AudioContext || window.webkitAudioContext;
    try {
      if (Context && !audio) { audio = new Context(); }
      if (audio && audio.resume) { audio.resume(); }
    } catch (e) { audio = null; }
    try { if (navigator.vibrate) { navigator.vibrate(100); } } catch (e) { /* ignore */ }
    beep(1);
    sound.hidden = true;
    soundOn = true;
    offline(false);
  });

  if (LIVE[state]) {
    sound.hidden = false;
    put("refresh", texts.live);
    if (location.protocol !== "file:") { listen(); }  // a page saved to a file (the self-test's) has no host
    if (ALERTS[state]) { ring(state); }
  }
}());
"""
PHONE_SCRIPT = _SOURCE.replace("$POLL", str(POLL_SECONDS)).replace("$SILENCE", str(SILENCE_SECONDS))
