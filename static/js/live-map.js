/* The live journey map: who else has it open, who is editing which cell, and everyone's saved changes
   swapped in as they happen (journeys.consumers on the server, over a WebSocket).
   - A change arrives rendered for this page (its language, its rights); this page only swaps it in,
     with a short highlight. A step whose cell this person is editing is left alone: what they type is
     never lost (their save then meets the usual version check).
   - The page's own requests go first: changes that arrive meanwhile wait until they have landed.
   - When the socket drops, the bar says so; it reconnects with backoff and then fetches the map afresh.
   Without JavaScript (or without a socket) the map works as before, by reloading. */
(function () {
  "use strict";

  var bar = document.getElementById("live-bar");
  if (!bar || !window.WebSocket || !window.htmx) return;

  var clientId = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
  var socket = null;
  var attempts = 0;
  var connectedOnce = false;
  var lostTimer = null;
  var viewers = {}; // key -> {card, editing, seen}
  var me = null;
  var sentEditing = "null";
  var busy = 0; // the page's own requests in flight
  var retryTimer = null;
  var lastHeard = 0;
  var waiting = []; // changes that arrived meanwhile

  var text = bar.dataset;

  /* Every request of the map names this page, so the server does not echo its own changes back. */
  document.body.addEventListener("htmx:configRequest", function (event) {
    // Comments posted from the side panel come back over the socket: the map's comments lane updates.
    var drawer = document.getElementById("comment-drawer");
    if (drawer && drawer.contains(event.detail.elt)) return;
    event.detail.headers["X-Live-Client"] = clientId;
  });
  document.body.addEventListener("htmx:beforeRequest", function () {
    busy += 1;
  });
  document.body.addEventListener("htmx:afterRequest", function () {
    busy = Math.max(0, busy - 1);
    if (!busy) setTimeout(drain, 0); // after the answer has been swapped in
  });

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  /* ---- The socket ------------------------------------------------------------------------------- */

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + bar.dataset.liveUrl + "?client=" + clientId +
      "&lang=" + encodeURIComponent(document.documentElement.lang || "");
    socket = new WebSocket(url);
    socket.onopen = function () {
      attempts = 0;
      lastHeard = Date.now();
      clearTimeout(lostTimer);
      status("live");
      if (connectedOnce) refetchMap(); // what changed while the socket was down
      connectedOnce = true;
      sentEditing = "null";
      reportEditing();
    };
    socket.onmessage = function (event) {
      lastHeard = Date.now();
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      receive(message);
    };
    socket.onclose = function () {
      socket = null;
      viewers = {};
      renderPresence();
      // A blip of a second or two is not worth a warning; a real drop is.
      clearTimeout(lostTimer);
      lostTimer = setTimeout(function () {
        status("lost");
      }, connectedOnce ? 1500 : 4000);
      var delay = Math.min(30000, 1000 * Math.pow(2, attempts)) * (0.75 + Math.random() / 2);
      attempts += 1;
      retryTimer = setTimeout(connect, delay);
    };
  }

  /* A connection can die without a word (a laptop's lid, a proxy): a ping every 20 s, and a socket
     silent for 45 s is closed and reopened. The browser's own offline/online events act at once. */
  setInterval(function () {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastHeard > 45000) socket.close();
    else send({ type: "ping" });
  }, 20000);

  window.addEventListener("offline", function () {
    if (socket) socket.close();
  });

  window.addEventListener("online", function () {
    if (socket) return;
    clearTimeout(retryTimer);
    attempts = 0;
    connect();
  });

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function status(state) {
    bar.dataset.state = state;
    var note = bar.querySelector("[data-live-status]");
    note.textContent = state === "live" ? text.textLive : state === "lost" ? text.textLost : text.textGone;
  }

  function receive(message) {
    if (message.type === "hello") {
      me = message.you;
    } else if (message.type === "presence") {
      presence(message);
    } else if (message.type === "change") {
      if ((message.fields || []).indexOf("comments") >= 0) tellComments(message.step, message.by);
      waiting.push(message);
      drain();
    } else if (message.type === "comments") {
      tellComments(null, message.by);
    } else if (message.type === "gone") {
      status("gone");
      socket.onclose = null;
      socket.close();
    }
  }

  function tellComments(step, by) {
    document.dispatchEvent(new CustomEvent("live:comments", { detail: { step: step, by: by } }));
  }

  /* ---- Changes ---------------------------------------------------------------------------------- */

  function drain() {
    if (busy) return;
    var batch = waiting;
    waiting = [];
    // A map message brings every step up to date: the step messages before the last one are moot.
    var lastMap = -1;
    batch.forEach(function (message, index) {
      if (message.scope === "map") lastMap = index;
    });
    batch.forEach(function (message, index) {
      if (index < lastMap) return;
      if (message.scope === "map") swapMap(message.html, message);
      else swapStep(message);
    });
    if (batch.length) announce(batch[batch.length - 1]);
  }

  function fillTokens(root) {
    var token = csrfToken();
    root.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
      input.value = token;
    });
  }

  function flash(elements) {
    elements.forEach(function (element) {
      if (!element) return;
      element.classList.remove("live-flash");
      void element.offsetWidth; // restart the animation
      element.classList.add("live-flash");
      setTimeout(function () {
        element.classList.remove("live-flash");
      }, 2200);
    });
  }

  /* Where focus is (a cell of a step, or a named control), to put it back after a swap. */
  function focusPlace() {
    var active = document.activeElement;
    var map = document.getElementById("journey-map");
    if (!active || !map || !map.contains(active)) return null;
    var step = active.closest(".jstep");
    return {
      stepId: step ? step.dataset.stepId : null,
      cell: active.dataset.cell || null,
      testid: active.dataset.testid || null,
    };
  }

  function refocus(place) {
    if (!place || (document.activeElement && document.activeElement !== document.body)) return;
    var scope = place.stepId ? document.getElementById("step-" + place.stepId) : document.getElementById("journey-map");
    if (!scope) return;
    var target = place.cell
      ? scope.querySelector('[data-cell="' + place.cell + '"]')
      : place.testid && scope.querySelector('[data-testid="' + place.testid + '"]');
    if (target) target.focus({ preventScroll: true });
  }

  function swapStep(message) {
    var old = document.getElementById("step-" + message.step);
    if (!old) return;
    if (old.querySelector("form.cell-editor")) {
      noteOnEditor(old, message.by);
      return; // never under someone's fingers
    }
    var incoming = /data-version="(\d+)"/.exec(message.html);
    if (incoming && Number(incoming[1]) < Number(old.dataset.version)) return; // older than what is shown
    var place = focusPlace();
    htmx.swap(old, message.html, { swapStyle: "outerHTML" });
    var fresh = document.getElementById("step-" + message.step);
    if (!fresh) return;
    fillTokens(fresh);
    refocus(place);
    var cells = (message.fields || []).map(function (field) {
      return fresh.querySelector('[data-cell="' + field + '"]') || fresh.querySelector(".lane-" + field);
    }).filter(Boolean);
    flash(cells.length ? cells : [fresh]);
    applyHolds();
  }

  /* The whole map, keeping an open editor (and what is typed in it) where it was. */
  function swapMap(html, message) {
    var map = document.getElementById("journey-map");
    if (!map || !html) return;
    var place = focusPlace();
    var kept = keepers(map);
    var active = document.activeElement;
    var selection = active && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
    htmx.swap(map, html, { swapStyle: "outerHTML" });
    var fresh = document.getElementById("journey-map");
    if (!fresh) return;
    kept.forEach(function (old) {
      var twin = old.id && document.getElementById(old.id);
      if (twin && twin !== old) twin.replaceWith(old);
    });
    fillTokens(fresh);
    if (active && fresh.contains(active) && document.activeElement !== active) {
      active.focus({ preventScroll: true });
      if (selection && active.setSelectionRange) active.setSelectionRange(selection[0], selection[1]);
    } else {
      refocus(place);
    }
    if (message) {
      var changed = message.step
        ? document.getElementById("step-" + message.step)
        : message.stage && fresh.querySelector('.jstage[data-stage-id="' + message.stage + '"] .jstage-head');
      flash([changed]);
    }
    applyHolds();
  }

  /* Parts of the map being edited here: a step with a cell editor, a stage whose name is open. */
  function keepers(map) {
    var kept = [];
    map.querySelectorAll("form.cell-editor").forEach(function (editor) {
      var step = editor.closest(".jstep");
      if (step && kept.indexOf(step) < 0) kept.push(step);
    });
    map.querySelectorAll(".jstage-head input[name=name]").forEach(function (input) {
      var head = input.closest(".jstage-head");
      if (head && head.id) kept.push(head);
    });
    return kept;
  }

  function noteOnEditor(step, who) {
    var editor = step.querySelector("form.cell-editor");
    if (!editor || editor.querySelector("[data-live-note]")) return;
    var note = document.createElement("div");
    note.className = "live-note small";
    note.dataset.liveNote = "";
    note.setAttribute("role", "status");
    note.textContent = text.textChangedHere.replace("%(name)s", who);
    editor.appendChild(note);
  }

  function refetchMap() {
    var map = document.getElementById("journey-map");
    if (!map) return;
    fetch(location.pathname, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html && !busy) swapMap(html, null);
      })
      .catch(function () {});
  }

  function announce(message) {
    var line = bar.querySelector("[data-live-last]");
    if (!line || !message.by) return;
    line.textContent = text.textChangedBy.replace("%(name)s", message.by);
  }

  /* ---- Presence --------------------------------------------------------------------------------- */

  function presence(message) {
    if (message.op === "leave") {
      delete viewers[message.key];
    } else {
      var card = message.viewer;
      if (card.key === me) return;
      viewers[card.key] = { card: card, editing: message.editing, seen: Date.now() };
    }
    renderPresence();
    applyHolds();
  }

  /* A page that has said nothing for three heartbeats (a closed laptop, a lost server) is gone. */
  setInterval(function () {
    var now = Date.now();
    var changed = false;
    Object.keys(viewers).forEach(function (key) {
      if (now - viewers[key].seen > 65000) {
        delete viewers[key];
        changed = true;
      }
    });
    if (changed) {
      renderPresence();
      applyHolds();
    }
  }, 10000);

  function renderPresence() {
    var list = bar.querySelector("[data-live-viewers]");
    var label = bar.querySelector("[data-live-others]");
    var keys = Object.keys(viewers).sort(function (a, b) {
      return viewers[a].card.name.localeCompare(viewers[b].card.name);
    });
    list.replaceChildren();
    var names = [];
    keys.forEach(function (key, index) {
      var viewer = viewers[key];
      var name = viewer.card.guest ? text.textGuest : viewer.card.name;
      names.push(name);
      if (index >= 6) return;
      var item = document.createElement("li");
      item.className = "avatar avatar-sm live-avatar" + (viewer.editing ? " is-editing" : "") + (viewer.card.guest ? " is-guest" : "");
      item.title = viewer.editing ? text.textEditing.replace("%(name)s", name) : name;
      item.textContent = viewer.card.guest ? "?" : viewer.card.initials;
      item.dataset.testid = "live-viewer";
      item.dataset.name = name;
      list.appendChild(item);
    });
    if (keys.length > 6) {
      var more = document.createElement("li");
      more.className = "avatar avatar-sm live-avatar is-more";
      more.textContent = "+" + (keys.length - 6);
      list.appendChild(more);
    }
    label.textContent = names.length ? text.textAlsoHere + " " + names.join(", ") : text.textAlone;
  }

  /* A cell someone else is editing shows their name; it stays open to read and to edit. */
  function applyHolds() {
    var map = document.getElementById("journey-map");
    if (!map) return;
    map.querySelectorAll("[data-held-note]").forEach(function (note) {
      note.remove();
    });
    map.querySelectorAll(".is-held").forEach(function (cell) {
      cell.classList.remove("is-held");
      delete cell.dataset.heldBy;
    });
    Object.keys(viewers).forEach(function (key) {
      var editing = viewers[key].editing;
      if (!editing) return;
      var step = document.getElementById("step-" + editing.step);
      var slot = step && step.querySelector('[data-cell="' + editing.field + '"]');
      if (!slot) return;
      slot.classList.add("is-held");
      slot.dataset.heldBy = viewers[key].card.name;
      var editor = slot.querySelector("form.cell-editor");
      if (editor && !editor.querySelector("[data-held-note]")) {
        var note = document.createElement("div");
        note.className = "live-note small";
        note.dataset.heldNote = "";
        note.textContent = text.textEditing.replace("%(name)s", viewers[key].card.name);
        editor.insertBefore(note, editor.firstChild);
      }
    });
  }

  /* This page's own editor, told to the others (CX leads only: the server ignores anyone else). */
  function reportEditing() {
    var editor = document.querySelector("#journey-map form.cell-editor");
    var step = editor && editor.closest(".jstep");
    var now = step ? { step: Number(step.dataset.stepId), field: editor.dataset.field } : null;
    var key = JSON.stringify(now);
    if (key === sentEditing || bar.dataset.canEdit !== "1") return;
    sentEditing = key;
    send({ type: "editing", step: now ? now.step : null, field: now ? now.field : null });
  }

  document.addEventListener("htmx:afterSettle", function () {
    reportEditing();
    applyHolds();
  });

  connect();
})();
