/* Small behaviours every page shares (the CSP forbids inline scripts). */
(function () {
  "use strict";

  /* The export tray: a finished or unwanted export's card closes with its × (the job itself runs on). */
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss-export]");
    if (!button) return;
    var card = button.closest(".export-status");
    var tray = card && card.parentElement;
    if (card) card.remove();
    var next = tray && tray.querySelector("[data-dismiss-export]");
    if (next) next.focus();
  });

  /* A table wider than its box scrolls sideways; keyboard users reach it with Tab and scroll it with
     the arrow keys (the region is named by its table's caption or first heading). */
  function focusableScrollers(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var table = box.querySelector("table");
        var name = table && (table.getAttribute("aria-label") || (table.querySelector("caption, th") || {}).textContent);
        if (name) box.setAttribute("aria-label", name.trim());
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusableScrollers(document);
  });
  window.addEventListener("resize", function () {
    focusableScrollers(document);
  });
  document.addEventListener("htmx:load", function (event) {
    focusableScrollers(event.detail.elt);
  });

  /* Copy a value (a share link) with one click; the button says it worked. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    field.select();
    var done = function () {
      button.textContent = button.dataset.copied;
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, function () {});
    else if (document.execCommand && document.execCommand("copy")) done();
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();
