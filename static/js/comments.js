/* Comments: the side panel of the map (a page of its own without JavaScript), @mention suggestions in
   every comment box, and the panel brought up to date when someone else comments (journeys.live).
   - A comment link on the map opens its step's threads in the panel; Esc or × closes it and focus
     goes back to the link. Ctrl+Enter posts.
   - Typing @ and a few letters lists matching people (arrows, Enter or Tab to pick, Esc to close);
     the comment then names them and they are told. */
(function () {
  "use strict";

  var drawer = document.getElementById("comment-drawer");
  var opener = null;

  function panel() {
    return document.getElementById("comment-panel");
  }

  function openPanel(url, from) {
    opener = from;
    drawer.hidden = false;
    document.body.classList.add("has-comment-drawer");
    htmx.ajax("GET", url, { target: drawer, swap: "innerHTML" }).then(function () {
      var box = drawer.querySelector("#new-comment") || drawer.querySelector(".comment-panel-close");
      if (box) box.focus();
    });
  }

  function closePanel() {
    drawer.hidden = true;
    drawer.replaceChildren();
    document.body.classList.remove("has-comment-drawer");
    // The link it was opened from, or its successor if the step's column was redrawn meanwhile.
    var back = opener;
    if (back && !document.contains(back)) {
      back = document.querySelector('#journey-map [data-comments-step="' + back.dataset.commentsStep + '"]') ||
        document.querySelector('[data-comments-step="' + back.dataset.commentsStep + '"]');
    }
    if (back) back.focus();
    opener = null;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-comments-step]");
    if (link && drawer && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      openPanel(link.getAttribute("href"), link);
      return;
    }
    var close = event.target.closest && event.target.closest("[data-close-comments]");
    if (close && drawer && drawer.contains(close)) {
      event.preventDefault();
      closePanel();
    }
  });

  document.addEventListener("keydown", function (event) {
    var box = event.target.closest && event.target.closest("textarea[data-mentions]");
    if (box && suggestions && suggestions.box === box && onSuggestionKey(event)) return;
    if (box && event.key === "Enter" && (event.ctrlKey || event.metaKey) && box.value.trim()) {
      event.preventDefault();
      var form = box.closest("form");
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
      return;
    }
    if (event.key === "Escape" && drawer && !drawer.hidden && drawer.contains(event.target)) {
      event.preventDefault();
      closePanel();
    }
  });

  /* After a post or a reply the panel is new: the caret goes back to the box just used (empty now). */
  var lastBox = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    var box = form && form.querySelector && form.querySelector("textarea[data-mentions]");
    lastBox = box ? box.id : null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!lastBox || !panel() || !panel().contains(event.detail.elt)) return;
    var box = document.getElementById(lastBox);
    lastBox = null;
    if (box) box.focus();
  });

  /* Someone else commented: refresh the panel if it shows that step (not while a box has text in it). */
  document.addEventListener("live:comments", function (event) {
    var current = panel();
    if (!current || !drawer || !drawer.contains(current)) return;
    var step = event.detail.step == null ? "" : String(event.detail.step);
    if (current.dataset.step !== step) return;
    var typing = Array.prototype.some.call(current.querySelectorAll("textarea"), function (box) {
      return box.value.trim() !== "";
    });
    if (typing) {
      var note = current.querySelector("[data-comments-new]");
      if (note) return;
      note = document.createElement("button");
      note.type = "button";
      note.className = "btn btn-sm btn-ghost-primary comment-new-note";
      note.dataset.commentsNew = "";
      note.textContent = drawer.dataset.textNew;
      note.addEventListener("click", function () {
        refresh(current);
      });
      current.querySelector(".comment-panel-body").prepend(note);
      return;
    }
    refresh(current);
  });

  /* Redraw the panel; a list of resolved threads the reader had open stays open. */
  function refresh(current) {
    var wasOpen = current.querySelector("details.comment-resolved-list[open]") !== null;
    htmx.ajax("GET", current.dataset.url, { target: current, swap: "outerHTML" }).then(function () {
      var list = wasOpen && panel() && panel().querySelector("details.comment-resolved-list");
      if (list) list.open = true;
    });
  }

  /* ---- @mention suggestions ------------------------------------------------------------------- */

  var people = null; // a promise of [{username, name}]
  var suggestions = null; // {box, list, items, active, start}
  var listId = 0;

  function loadPeople(url) {
    if (!people) {
      people = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { people: [] };
        })
        .then(function (data) {
          return data.people || [];
        })
        .catch(function () {
          people = null;
          return [];
        });
    }
    return people;
  }

  function peopleUrl() {
    var holder = document.querySelector("[data-people-url]");
    return holder ? holder.dataset.peopleUrl : null;
  }

  function matches(all, query) {
    query = query.toLowerCase();
    return all
      .filter(function (person) {
        if (!query) return true;
        if (person.username.toLowerCase().indexOf(query) === 0) return true;
        return person.name.toLowerCase().split(/\s+/).some(function (word) {
          return word.indexOf(query) === 0;
        });
      })
      .slice(0, 6);
  }

  function closeSuggestions() {
    if (!suggestions) return;
    suggestions.list.remove();
    suggestions.box.setAttribute("aria-expanded", "false");
    suggestions.box.removeAttribute("aria-activedescendant");
    suggestions = null;
  }

  function showSuggestions(box, found, start) {
    closeSuggestions();
    if (!found.length) return;
    var list = document.createElement("ul");
    listId += 1;
    list.id = "mention-list-" + listId;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.dataset.testid = "mention-list";
    found.forEach(function (person, index) {
      var item = document.createElement("li");
      item.id = list.id + "-" + index;
      item.setAttribute("role", "option");
      item.dataset.username = person.username;
      item.dataset.testid = "mention-option";
      var name = document.createElement("span");
      name.textContent = person.name;
      var handle = document.createElement("span");
      handle.className = "text-secondary";
      handle.textContent = " @" + person.username;
      item.append(name, handle);
      item.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the caret in the box
        pick(index);
      });
      list.appendChild(item);
    });
    box.insertAdjacentElement("afterend", list);
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "true");
    suggestions = { box: box, list: list, items: found, active: 0, start: start };
    highlight(0);
  }

  function highlight(index) {
    var options = suggestions.list.querySelectorAll("[role=option]");
    suggestions.active = (index + options.length) % options.length;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === suggestions.active ? "true" : "false");
    });
    suggestions.box.setAttribute("aria-activedescendant", options[suggestions.active].id);
  }

  function pick(index) {
    var box = suggestions.box;
    var person = suggestions.items[index];
    var caret = box.selectionStart;
    var before = box.value.slice(0, suggestions.start) + "@" + person.username + " ";
    box.value = before + box.value.slice(caret);
    box.setSelectionRange(before.length, before.length);
    closeSuggestions();
    box.focus();
  }

  function onSuggestionKey(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(suggestions.active + (event.key === "ArrowDown" ? 1 : -1));
      return true;
    }
    if ((event.key === "Enter" && !event.ctrlKey && !event.metaKey) || event.key === "Tab") {
      event.preventDefault();
      pick(suggestions.active);
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      closeSuggestions();
      return true;
    }
    return false;
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-mentions]")) return;
    var url = peopleUrl();
    var typed = /(^|[\s(])@([\w.+-]*)$/.exec(box.value.slice(0, box.selectionStart));
    if (!typed || !url) {
      closeSuggestions();
      return;
    }
    box.setAttribute("aria-autocomplete", "list");
    var start = box.selectionStart - typed[2].length - 1;
    loadPeople(url).then(function (all) {
      if (document.activeElement !== box) return;
      showSuggestions(box, matches(all, typed[2]), start);
    });
  });

  document.addEventListener("focusout", function (event) {
    if (suggestions && event.target === suggestions.box) setTimeout(closeSuggestions, 150);
  });
})();
