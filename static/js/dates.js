/* Date fields (cxhub.lib.forms.DateInput): a calendar in the page's language that writes the date in
   the language's own format (data-date-input: "dd.MM.yyyy", "dd MMM yyyy"), which the server reads
   back. Typing works as well; the calendar is a help, never the only way. Month and day names come
   from the browser (Intl), so no locale files are shipped. */
(function () {
  "use strict";
  if (!window.AirDatepicker) return;
  var lang = document.documentElement.lang === "ru" ? "ru-RU" : "en-US";

  function names(options, count, at) {
    var out = [], format = new Intl.DateTimeFormat(lang, options);
    for (var i = 0; i < count; i++) {
      var text = format.format(at(i)).replace(/\.$/, "");
      out.push(text.charAt(0).toUpperCase() + text.slice(1));
    }
    return out;
  }
  var sunday = function (i) { return new Date(2023, 0, 1 + i); };  /* 1 Jan 2023 was a Sunday */
  var month = function (i) { return new Date(2023, i, 1); };
  var days = names({ weekday: "long" }, 7, sunday), daysShort = names({ weekday: "short" }, 7, sunday);
  var months = names({ month: "long" }, 12, month);
  /* English short months exactly as the server writes and reads them (%b): Jan … Sep … Dec. */
  var monthsShort = lang === "en-US" ? ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                                     : names({ month: "short" }, 12, month);

  /* The field's value as a date, when it is one the calendar can show (either the language's format
     or ISO 8601); otherwise the calendar opens on today and leaves the typed text alone. */
  function parse(text, format) {
    text = (text || "").trim();
    var iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (iso) return new Date(+iso[1], +iso[2] - 1, +iso[3]);
    var dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
    if (dotted && format.indexOf(".") > 0) return new Date(+dotted[3], +dotted[2] - 1, +dotted[1]);
    var named = /^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$/.exec(text);
    if (named && monthsShort.indexOf(named[2]) >= 0) return new Date(+named[3], monthsShort.indexOf(named[2]), +named[1]);
    return null;
  }

  function attach(input) {
    if (input.dataset.dateReady) return;
    input.dataset.dateReady = "1";
    var format = input.dataset.dateInput;
    var selected = parse(input.value, format);
    new window.AirDatepicker(input, {
      locale: { days: days, daysShort: daysShort, daysMin: daysShort.map(function (d) { return d.slice(0, 2); }),
                months: months, monthsShort: monthsShort, today: input.dataset.dateToday,
                clear: input.dataset.dateClear, dateFormat: format, timeFormat: "HH:mm", firstDay: 1 },
      selectedDates: selected ? [selected] : [], autoClose: true, keyboardNav: true,
      buttons: ["today", "clear"], position: "bottom left",
      onSelect: function () { input.dispatchEvent(new Event("change", { bubbles: true })); }
    });
  }

  function attachAll(root) { (root || document).querySelectorAll("input[data-date-input]").forEach(attach); }
  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  document.body && document.body.addEventListener("htmx:afterSwap", function (event) { attachAll(event.target); });
})();
