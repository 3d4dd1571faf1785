/* The export tray: a finished or unwanted export's card closes with its × (the job itself runs on). */
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-dismiss-export]");
  if (!button) return;
  var card = button.closest(".export-status");
  var tray = card && card.parentElement;
  if (card) card.remove();
  var next = tray && tray.querySelector("[data-dismiss-export]");
  if (next) next.focus();
});
