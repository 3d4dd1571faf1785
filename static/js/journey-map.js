/* Journey map: what HTML and htmx cannot do on their own.
   - Drag and drop of steps and stages (SortableJS); the ◀ ▶ buttons and Alt+Shift+←/→ on a cell do the
     same from the keyboard.
   - The overview: every step narrowed to fit the frame (curve, gaps, moments of truth, barriers,
     service levels as colour); a click on a step goes back to full size there.
   - Editing like a spreadsheet: arrows move between cells, Enter or F2 (or just typing) opens a cell's
     editor with the caret in it, Enter saves (Shift+Enter: a new line), Tab / Shift+Tab save and go to
     the next / previous cell, Esc cancels, Alt+N adds a step after this one, Ctrl/Cmd+Z undoes one's own
     last save (a normal versioned write), Alt+Shift+N adds a stage after this one with its name open
     (Enter: then its "+" has focus, and Enter again adds its first step). Focus stays where the person
     works after saves and moves,
     and nothing typed while an editor is on its way is lost.
   The server renders every cell and editor, and the emotion curve too. */
(function () {
  "use strict";

  var opening = null; // an editor on its way: {stepId, field, typed, replace, key}
  var after = null; // where focus goes once the next swap has settled
  var undoable = null; // one's own last save on this page: {stepId, field, name, url, old}
  var saving = null; // the save on its way, undoable once it succeeds
  var toastTimer = null;

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  /* The map's own requests go one after another, so their answers land in the order they were asked
     (Esc on one cell, then a click on another of the same step: the closed cell, then the new editor). */
  var queue = Promise.resolve();

  function send(verb, url, options) {
    var request = queue.then(function () {
      return htmx.ajax(verb, url, options);
    });
    queue = request.catch(function () {});
    return request;
  }

  function post(url, values, target) {
    return send("POST", url, {
      target: target || "#journey-map",
      swap: "outerHTML",
      values: values,
      headers: csrfHeaders(),
    });
  }

  /* ---- Drag and drop ------------------------------------------------------------------------- */

  function enableDragAndDrop(map) {
    if (map.dataset.editable !== "1" || !window.Sortable) return;
    map.querySelectorAll(".jstage-steps").forEach(function (list) {
      Sortable.create(list, {
        group: "steps",
        handle: ".step-handle",
        draggable: ".jstep",
        direction: "horizontal", // steps sit side by side (a grid's columns, which Sortable would read as a list)
        animation: 120,
        forceFallback: true, // mouse-event dragging: same behaviour in every browser and under automation
        onEnd: function (evt) {
          if (evt.from === evt.to && evt.oldDraggableIndex === evt.newDraggableIndex) return;
          var step = evt.item;
          post(step.dataset.moveUrl, {
            to_stage: evt.to.dataset.stageId,
            to_position: evt.newDraggableIndex,
            version: step.dataset.version,
          });
        },
      });
    });
    var stages = map.querySelector(".jmap-stages");
    if (stages) {
      Sortable.create(stages, {
        handle: ".stage-handle",
        draggable: ".jstage",
        direction: "horizontal",
        animation: 120,
        forceFallback: true,
        onEnd: function (evt) {
          if (evt.oldDraggableIndex === evt.newDraggableIndex) return;
          post(evt.item.dataset.moveUrl, { to_position: evt.newDraggableIndex, version: evt.item.dataset.version });
        },
      });
    }
  }

  /* ---- Cells --------------------------------------------------------------------------------- */

  var TEXT_CELLS = ["action", "expectation", "reality", "notes", "touchpoint"];

  function stepOf(element) {
    return element.closest(".jstep");
  }

  function steps() {
    return Array.prototype.slice.call(document.querySelectorAll("#journey-map .jstep"));
  }

  function stepIds() {
    return steps().map(function (step) {
      return step.dataset.stepId;
    });
  }

  function cell(stepId, field) {
    return document.querySelector("#step-" + stepId + ' button.cell-edit[data-cell="' + field + '"]');
  }

  function place(element) {
    return element ? { stepId: stepOf(element).dataset.stepId, field: element.dataset.cell } : null;
  }

  /* The editable cell after (or before) `from` — a cell, or the slot of the one being edited — in
     reading order: down a step's lanes, then on to the next step. */
  function nextCell(from, backwards) {
    var all = Array.prototype.slice.call(
      document.querySelectorAll("#journey-map .jstep button.cell-edit, #journey-map .jstep .cell-slot")
    );
    return all[all.indexOf(from) + (backwards ? -1 : 1)] || null;
  }

  function neighbourCell(from, key) {
    var step = stepOf(from);
    if (key === "ArrowUp" || key === "ArrowDown") {
      var own = Array.prototype.slice.call(step.querySelectorAll("button.cell-edit"));
      return own[own.indexOf(from) + (key === "ArrowDown" ? 1 : -1)] || null;
    }
    var all = steps();
    var other = all[all.indexOf(step) + (key === "ArrowRight" ? 1 : -1)];
    return other ? other.querySelector('button.cell-edit[data-cell="' + from.dataset.cell + '"]') : null;
  }

  function focusCell(target) {
    if (!target) return;
    target.focus();
    target.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /* One editor at a time: others left as they were are closed; one with changes stays open. */
  function closeUntouchedEditors() {
    document.querySelectorAll("#journey-map form.cell-editor").forEach(function (editor) {
      var input = editor.querySelector(".cell-input");
      if (!input || currentValue(input) === defaultValue(input)) {
        post(editor.getAttribute("action"), { cancel: "1" }, "#" + stepOf(editor).id);
      }
    });
  }

  /* Ask for the cell's editor (its hx-get, issued here: a cell swapped in a moment ago may not be
     wired by htmx yet), keeping what is typed until it arrives. */
  function open(button, typed) {
    closeUntouchedEditors();
    opening = place(button);
    opening.typed = typed || "";
    opening.replace = Boolean(typed);
    var step = stepOf(button);
    send("GET", button.getAttribute("hx-get"), { target: "#" + step.id, swap: "outerHTML" });
  }

  /* ---- Editors ------------------------------------------------------------------------------- */

  function defaultValue(input) {
    if (input.type === "checkbox") return input.defaultChecked ? "on" : "";
    if (input.tagName === "SELECT") {
      var chosen = Array.prototype.filter.call(input.options, function (o) {
        return o.defaultSelected;
      })[0];
      return chosen ? chosen.value : "";
    }
    return input.defaultValue;
  }

  function currentValue(input) {
    if (input.type === "checkbox") return input.checked ? "on" : "";
    return input.value;
  }

  /* The editor arrived: the caret at the end of its text, with what was typed while it was on its way
     (typing on a cell starts its text afresh, as in a spreadsheet; keys after a click add to it). */
  function arrived(editor) {
    var input = editor.querySelector(".cell-input");
    var early = opening;
    opening = null;
    if (!input) return;
    input.focus();
    var textual = input.tagName !== "SELECT" && input.type !== "checkbox";
    if (early && early.typed && textual) input.value = early.replace ? early.typed : input.value + early.typed;
    if (textual && typeof input.setSelectionRange === "function") {
      input.setSelectionRange(input.value.length, input.value.length);
    }
    if (early && early.key) onEditorKey(early.key, editor, input); // Enter, Tab or Esc pressed early
  }

  /* Once our own write has been swapped in: focus `then`'s cell (an editor that came back refused —
     a conflict, a bad value — takes the focus instead, see htmx:afterSwap). */
  function focusAfter(request, then) {
    request.then(function () {
      if (then && !opening) focusCell(cell(then.stepId, then.field));
    });
  }

  /* The editor's values, taken now: by the time the request goes out, the form may be gone. */
  function formValues(editor) {
    var values = {};
    new FormData(editor).forEach(function (value, name) {
      values[name] = value;
    });
    return values;
  }

  function save(editor, then) {
    var input = editor.querySelector(".cell-input");
    var url = editor.getAttribute("action");
    saving = null;
    if (input && currentValue(input) !== defaultValue(input)) {
      saving = { stepId: stepOf(editor).dataset.stepId, field: editor.dataset.field, name: input.name,
                 url: url, old: defaultValue(input) };
    }
    focusAfter(post(url, formValues(editor), "#" + stepOf(editor).id), then);
  }

  function cancel(editor) {
    var here = { stepId: stepOf(editor).dataset.stepId, field: editor.dataset.field };
    var values = formValues(editor);
    values.cancel = "1";
    focusAfter(post(editor.getAttribute("action"), values, "#" + stepOf(editor).id), here);
  }

  /* key: {key, shiftKey, altKey, ctrlKey, metaKey}; returns true when the map took the key. */
  function onEditorKey(key, editor, target) {
    var multiline = target.tagName === "TEXTAREA";
    var here = { stepId: stepOf(editor).dataset.stepId, field: editor.dataset.field };
    if (key.key === "Escape") {
      cancel(editor);
    } else if (key.key === "Enter" && (key.ctrlKey || key.metaKey)) {
      save(editor, here);
    } else if (key.key === "Enter" && !(multiline && (key.shiftKey || key.altKey))) {
      if (target.tagName === "BUTTON" || target.tagName === "SUMMARY") return false; // their own action
      save(editor, here);
    } else if (key.key === "Tab" && !editor.querySelector("details[open]")) {
      save(editor, place(nextCell(editor.closest(".cell-slot"), key.shiftKey)) || here);
    } else {
      return false;
    }
    return true;
  }

  /* ---- Undo ---------------------------------------------------------------------------------- */

  function toast(message, withUndo) {
    var box = document.getElementById("map-toast");
    if (!box) return;
    box.querySelector("[data-toast-text]").textContent = message;
    box.querySelector("[data-undo]").hidden = !withUndo;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      box.hidden = true;
    }, 10000);
  }

  function undo() {
    if (!undoable) return;
    var step = document.getElementById("step-" + undoable.stepId);
    if (!step) return;
    var values = { version: step.dataset.version };
    values[undoable.name] = undoable.old;
    var here = { stepId: undoable.stepId, field: undoable.field };
    var url = undoable.url;
    undoable = null;
    var request = post(url, values, "#" + step.id);
    focusAfter(request, here);
    request.then(function () {
      var box = document.getElementById("map-toast");
      toast(box ? box.dataset.undone : "", false);
    });
  }

  /* ---- Keys ---------------------------------------------------------------------------------- */

  document.addEventListener("keydown", function (event) {
    var map = document.getElementById("journey-map");
    if (!map || map.dataset.editable !== "1") return;
    var editor = event.target.closest && event.target.closest("form.cell-editor");
    if (editor) {
      if (onEditorKey(event, editor, event.target)) event.preventDefault();
      return;
    }
    if (opening) {
      // An editor is on its way: keep what is typed for it, and the key that ends the edit.
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "a") {
        opening.typed = ""; // select all, then type: the new text replaces the old
        opening.replace = true;
      } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey) {
        opening.typed += event.key;
      } else if (event.key === "Enter" && event.shiftKey) {
        opening.typed += "\n";
      } else if (["Enter", "Tab", "Escape"].indexOf(event.key) >= 0) {
        opening.key = { key: event.key, shiftKey: event.shiftKey, ctrlKey: event.ctrlKey, metaKey: event.metaKey };
      } else {
        return;
      }
      event.preventDefault();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z" && undoable) {
      if (event.target.matches("input, textarea, select")) return;
      event.preventDefault();
      undo();
      return;
    }
    var current = event.target.closest && event.target.closest("button.cell-edit");
    if (!current || !map.contains(current)) return;
    if (event.altKey && event.shiftKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      // Move the step itself one place (across a stage's edge too); focus stays on this cell of it.
      event.preventDefault();
      var moving = stepOf(current);
      after = { stepId: moving.dataset.stepId, field: current.dataset.cell, map: map };
      post(moving.dataset.moveUrl, {
        direction: event.key === "ArrowLeft" ? "left" : "right",
        version: moving.dataset.version,
      });
    } else if (event.key.indexOf("Arrow") === 0) {
      event.preventDefault();
      focusCell(neighbourCell(current, event.key));
    } else if (event.key === "Enter" || event.key === "F2") {
      event.preventDefault();
      open(current, "");
    } else if (event.altKey && event.shiftKey && (event.code === "KeyN" || event.key.toLowerCase() === "n")) {
      // A new stage after this one, its name open for typing; Enter then puts focus on its "+".
      event.preventDefault();
      var adder = map.querySelector("form.jstage-add");
      var here = stepOf(current).closest(".jstage");
      var at = Array.prototype.indexOf.call(map.querySelectorAll(".jstage"), here) + 1;
      after = { renaming: true, map: map };
      post(adder.getAttribute("action"), { position: at, name: "", rename: "1" });
    } else if (event.altKey && (event.code === "KeyN" || event.key.toLowerCase() === "n")) {
      event.preventDefault();
      var step = stepOf(current);
      var stage = step.closest(".jstage");
      var index = Array.prototype.indexOf.call(stage.querySelectorAll(".jstep"), step);
      after = { stageId: stage.dataset.stageId, index: index + 1, open: "action", known: stepIds(), map: map };
      post(stage.querySelector("form[data-add-step]").getAttribute("action"), { position: index + 1 });
    } else if (event.key.length === 1 && event.key !== " " && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (TEXT_CELLS.indexOf(current.dataset.cell) < 0) return;
      event.preventDefault();
      open(current, event.key);
    }
  });

  /* Clicks: a cell opens its editor; Save and Cancel go through the same path as the keys; a move or a
     new step says where focus goes afterwards. */
  document.addEventListener(
    "click",
    function (event) {
      var map = document.getElementById("journey-map");
      if (event.target.closest && event.target.closest("#map-toast [data-undo]")) {
        event.preventDefault();
        undo();
        return;
      }
      if (!map || !map.contains(event.target) || overview) return; // the overview picks steps instead
      var button = event.target.closest("button");
      if (!button) return;
      var step = stepOf(button);
      var testid = button.dataset.testid || "";
      var editor = button.closest("form.cell-editor");
      if (editor && (testid === "save" || testid === "cancel")) {
        event.preventDefault();
        event.stopPropagation();
        if (testid === "save") save(editor, place(button.closest(".cell-slot")));
        else cancel(editor);
      } else if (step && button.classList.contains("cell-edit")) {
        event.preventDefault();
        event.stopPropagation(); // not htmx's own hx-get as well
        open(button, ""); // the last cell asked for wins
      } else if (step && (testid === "step-left" || testid === "step-right")) {
        after = { move: step.dataset.stepId, button: testid, map: map };
      } else if (testid === "add-step") {
        var stage = button.closest(".jstage");
        var index = stage.querySelectorAll(".jstep").length;
        after = { stageId: stage.dataset.stageId, index: index, open: "action", known: stepIds(), map: map };
      }
    },
    true
  );

  /* A stage named (or a new one added at the end): focus goes to its "+", so Enter adds its first step. */
  document.addEventListener(
    "submit",
    function (event) {
      var map = document.getElementById("journey-map");
      var form = event.target;
      if (!map || !map.contains(form)) return;
      if (form.classList.contains("jstage-add")) {
        after = { newStageAfter: Array.prototype.map.call(map.querySelectorAll(".jstage"), function (s) {
          return s.dataset.stageId;
        }), map: map };
      } else if (form.closest(".jstage-head") && form.querySelector("input[name=name]")) {
        after = { addStepOf: form.closest(".jstage").dataset.stageId, map: map };
      }
    },
    true
  );

  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig;
    if (!saving || !config || config.verb !== "post" || config.path !== saving.url) return;
    if (event.detail.successful && event.detail.xhr.status === 200) {
      undoable = saving;
      var box = document.getElementById("map-toast");
      toast(box ? box.dataset.saved : "", true);
    }
    saving = null;
  });

  /* The moment an editor is in the page (before htmx settles it), the caret goes into it: nothing
     typed in between lands at its start. */
  document.addEventListener("htmx:afterSwap", function () {
    var map = document.getElementById("journey-map");
    if (!map) return;
    var editor = opening
      ? map.querySelector("#step-" + opening.stepId + ' form.cell-editor[data-field="' + opening.field + '"]')
      : map.querySelector("form.cell-editor.has-conflict, form.cell-editor:has(.text-danger)");
    if (editor) {
      after = null;
      arrived(editor);
      document.querySelectorAll("#journey-map form.cell-editor").forEach(function (other) {
        var input = other.querySelector(".cell-input");
        if (other !== editor && (!input || currentValue(input) === defaultValue(input))) {
          post(other.getAttribute("action"), { cancel: "1", version: other.querySelector("[name=version]").value }, "#" + stepOf(other).id);
        }
      });
    }
  });

  /* After a move or a new step: put focus back where the person works, as soon as what it waits for is
     on the page (a swap that comes first leaves it waiting). */
  function restore(event) {
    var map = document.getElementById("journey-map");
    if (!map || opening || !after) return;
    var settled = event.type === "htmx:afterSettle"; // htmx has wired the new content: hx-get works
    var want = after;
    // Only once the map this write answers has replaced the one it was asked from: an earlier
    // request's late settle event must not spend it on the old map.
    if (want.map && want.map === map) return;
    if (want.renaming) {
      var name = map.querySelector(".jstage-head input[name=name]");
      if (!name || !settled) return; // its form must be wired by htmx before Enter reaches it
      after = null;
      name.focus();
      name.select(); // typing replaces "New stage"
    } else if (want.addStepOf || want.newStageAfter) {
      var stages = Array.prototype.slice.call(map.querySelectorAll(".jstage"));
      var target = want.addStepOf
        ? map.querySelector('.jstage[data-stage-id="' + want.addStepOf + '"]')
        : stages.filter(function (s) { return want.newStageAfter.indexOf(s.dataset.stageId) < 0; })[0];
      var plus = target && target.querySelector('[data-testid="add-step"]');
      if (!plus || !settled) return;
      after = null;
      plus.focus();
    } else if (want.move) {
      var moved = document.getElementById("step-" + want.move);
      var button = moved && moved.querySelector('[data-testid="' + want.button + '"]');
      if (button && button.disabled) {
        button = moved.querySelector('[data-testid="step-' + (want.button === "step-left" ? "right" : "left") + '"]');
      }
      if (!button) return;
      after = null;
      button.focus();
    } else if (want.stageId) {
      var stage = map.querySelector('.jstage[data-stage-id="' + want.stageId + '"]');
      var added = stage && stage.querySelectorAll(".jstep")[want.index];
      if (!settled || !added || want.known.indexOf(added.dataset.stepId) >= 0) return; // not ready yet
      var first = added.querySelector('button.cell-edit[data-cell="' + want.open + '"]');
      if (!first) return;
      after = null;
      open(first, "");
    } else if (want.stepId) {
      var target = cell(want.stepId, want.field);
      if (!target) return;
      after = null;
      focusCell(target);
    }
  }

  document.addEventListener("htmx:afterSwap", restore);
  document.addEventListener("htmx:afterSettle", restore);

  /* ---- Overview: the whole journey in the frame's width ---------------------------------------- */

  var overview = false; // kept across swaps of the map

  function applyOverview(map) {
    var toggle = map.querySelector("[data-overview-toggle]");
    var count = map.querySelectorAll(".jstep").length;
    map.classList.toggle("is-overview", overview);
    if (toggle) {
      toggle.setAttribute("aria-pressed", overview ? "true" : "false");
      toggle.textContent = overview ? toggle.dataset.labelOn : toggle.dataset.labelOff;
    }
    if (!overview || !count) {
      map.style.removeProperty("--step-w");
      return;
    }
    var frame = map.querySelector(".jmap-scroll");
    var lanes = map.querySelector(".jmap-lanes");
    var room = frame.clientWidth - lanes.offsetWidth - map.querySelectorAll(".jstage").length - 2;
    map.style.setProperty("--step-w", Math.max(6, Math.floor(room / count)) + "px");
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-overview-toggle]");
    var map = document.getElementById("journey-map");
    if (!map) return;
    if (toggle) {
      overview = !overview;
      applyOverview(map);
      toggle.focus();
      return;
    }
    if (!overview || !map.contains(event.target)) return;
    var step = event.target.closest(".jstep");
    if (!step) return;
    // In the overview a click picks a step: back to full size, on that step.
    event.preventDefault();
    event.stopPropagation();
    overview = false;
    applyOverview(map);
    focusCell(step.querySelector("button.cell-edit"));
  }, true);

  window.addEventListener("resize", function () {
    var map = document.getElementById("journey-map");
    if (map && overview) applyOverview(map);
  });

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    var map = elt.id === "journey-map" ? elt : elt.querySelector && elt.querySelector("#journey-map");
    if (map) {
      enableDragAndDrop(map);
      applyOverview(map);
    }
  });
})();
