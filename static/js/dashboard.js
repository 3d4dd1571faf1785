/* The outcome dashboards' charts, from one json_script element; the period form submits on change.
   Printed (body[data-print], metrics.pdf), the charts stay vector drawings in the page's own typeface
   (an image of one would lose the web font: SVG drawn as an image cannot load it), drawn once at the
   size they print, with larger text; body[data-charts-ready] tells the printer they are done. */
(function () {
  "use strict";
  var C = window.CXCharts, S = C.SERIES, GREY = "#94a3b8";
  var BASE = {
    margin: { l: 44, r: 16, t: 8, b: 40 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "inherit", size: 12 }, legend: { orientation: "h", x: 0, y: 1.12 }
  };
  var printing = document.body.hasAttribute("data-print");
  var CONFIG = { displayModeBar: false, responsive: !printing, staticPlot: printing };
  if (printing) BASE.font = { family: "Inter, sans-serif", size: 13 };
  var drawn = [];

  function layout(extra) { return Object.assign({}, BASE, extra); }
  function element(id) { return document.getElementById(id); }
  function plot(id, traces, extra) {
    var target = element(id);
    if (!target) return;
    if (printing) target.style.height = target.clientHeight + "px";
    drawn.push(Plotly.newPlot(target, traces, layout(extra), CONFIG).then(function () { return target; }));
  }
  function fit(values) { return values.map(function (v) { return v === null ? null : v; }); }
  function bar(series) { return { color: series.color, pattern: series.pattern || { shape: "" } }; }

  /* Horizontal bars of a share within target, worst first (top), with each row's target as a tick.
     Rows that met their target, rows below it and rows with too few cases to judge are three series,
     each always in its own colour (below: vermillion and hatched; too few: grey, at the bottom), so
     the legend says which is which. */
  function shareBars(id, rows, text) {
    if (!rows.length) return;
    var ordered = rows.slice().reverse();
    var names = ordered.map(function (r) { return r.name; });
    function kind(r) {
      if (r.too_few) return "few";
      return r.share !== null && r.target !== null && r.share < r.target ? "below" : "met";
    }
    function part(which, series, name) {
      var chosen = ordered.filter(function (r) { return kind(r) === which; });
      return { type: "bar", orientation: "h", y: chosen.map(function (r) { return r.name; }),
               x: chosen.map(function (r) { return r.share; }), marker: bar(series), name: name,
               text: chosen.map(function (r) { return "n " + r.n; }), textposition: "inside", insidetextanchor: "end",
               textfont: { color: which === "few" ? "#111827" : "#fff", size: 10 },
               hovertemplate: "%{y}: %{x}% (%{text})<extra>" + name + "</extra>" };
    }
    var traces = [part("met", S.met, text.met), part("below", S.below, text.below)];
    if (ordered.some(function (r) { return r.too_few; })) traces.push(part("few", S.few, text.too_few));
    traces.push({ type: "scatter", mode: "markers", y: names, x: ordered.map(function (r) { return r.target; }),
                  name: text.target, marker: { symbol: "line-ns-open", size: 18, color: S.target.color, line: { width: 3, color: S.target.color } },
                  hovertemplate: "%{y}: " + text.target + " %{x}%<extra></extra>" });
    /* On a phone the names take what they need (automargin), not a fixed third of the width. */
    var narrow = element(id) && element(id).clientWidth < 520;
    plot(id, traces, { margin: { l: narrow ? 8 : 180, r: 8, t: 8, b: 56 },
         xaxis: { range: [0, 101], ticksuffix: "%", fixedrange: true },
         yaxis: { automargin: true, fixedrange: true, categoryorder: "array", categoryarray: names },
         showlegend: true, bargap: 0.25, barmode: "overlay",
         legend: { orientation: "h", x: 0, y: -0.08, yanchor: "top", traceorder: "normal" } });
  }

  function executive(data) {
    var text = data.text, money = data.money, moneyAxis = C.moneyAxis(money);
    BASE.separators = money.separators;
    shareBars("chart-departments", data.departments, text);
    shareBars("chart-touchpoints", data.touchpoints.slice(0, 20), text);
    if (data.segments.length) {
      plot("chart-segments", [{
        type: "bar", x: data.segments.map(function (s) { return s.name; }),
        y: data.segments.map(function (s) { return s.clv; }), marker: bar(S.clv), name: text.clv,
        text: data.segments.map(function (s) { return "n " + s.n; }), textposition: "outside",
        customdata: data.segments.map(function (s) { return s.clv_text; }),
        hovertemplate: "%{x}: %{customdata}<extra>" + text.clv + "</extra>"
      }], { yaxis: Object.assign({ rangemode: "tozero", fixedrange: true }, moneyAxis), xaxis: { fixedrange: true },
            showlegend: false });
    }
    if (data.months.labels.length) {
      /* CLV above; below it, what drives it: service cost per customer-year (S) and lifetime (L). */
      plot("chart-months", [
        { x: data.months.labels, y: fit(data.months.clv), name: text.clv, mode: "lines+markers",
          line: { color: S.clv.color, width: 3, dash: S.clv.dash } },
        { x: data.months.labels, y: fit(data.months.s), name: text.s, mode: "lines+markers", xaxis: "x", yaxis: "y2",
          line: { color: S.s.color, width: 2, dash: S.s.dash }, marker: { symbol: "square" } },
        { x: data.months.labels, y: fit(data.months.l), name: text.l, mode: "lines+markers", xaxis: "x", yaxis: "y3",
          line: { color: S.l.color, width: 2, dash: S.l.dash }, marker: { symbol: "diamond" } }
      ], { margin: { l: 70, r: 50, t: 56, b: 40 }, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
           xaxis: { type: "category", fixedrange: true, anchor: "y2", automargin: true },
           yaxis: Object.assign({ domain: [0.45, 1], fixedrange: true, zeroline: true }, moneyAxis),
           yaxis2: Object.assign({ domain: [0, 0.35], rangemode: "tozero", fixedrange: true }, moneyAxis),
           yaxis3: { overlaying: "y2", side: "right", rangemode: "tozero", fixedrange: true, showgrid: false } });
    }
    if (data.loyalty.length) {
      var names = data.loyalty.map(function (r) { return r.name; });
      plot("chart-loyalty", [
        { type: "bar", orientation: "h", y: names, x: data.loyalty.map(function (r) { return r.clean; }),
          name: text.clean, marker: bar(S.met),
          text: data.loyalty.map(function (r) { return "n " + r.clean_n; }), textposition: "inside" },
        { type: "bar", orientation: "h", y: names, x: data.loyalty.map(function (r) { return r.breached; }),
          name: text.breached, marker: bar(S.breach),
          text: data.loyalty.map(function (r) { return "n " + r.breached_n; }), textposition: "inside" }
      ], { barmode: "group", margin: { l: 160, r: 16, t: 8, b: 32 },
           xaxis: { range: [0, 101], ticksuffix: "%", title: { text: text.retained }, fixedrange: true },
           yaxis: { automargin: true, autorange: "reversed", fixedrange: true } });
    }
  }

  function department(data) {
    var text = data.text, x = data.labels;
    if (data.series.length) {
      var lines = data.series.map(function (s, i) {
        return { x: x, y: s.shares, name: s.name + " (" + s.target + "%)", mode: "lines+markers", connectgaps: false,
                 line: { color: C.touchpoint(s.id), width: 2, dash: C.DASHES[i % C.DASHES.length] } };
      });
      plot("chart-dept-service", lines, { xaxis: { type: "category", fixedrange: true },
        yaxis: { range: [0, 101], ticksuffix: "%", fixedrange: true }, legend: { orientation: "h", y: -0.2 },
        margin: { l: 44, r: 16, t: 8, b: 60 } });
    }
    plot("chart-dept-percentiles", ["50", "80", "90"].map(function (p) {
      var series = S["p" + p];
      return { x: x, y: data.percentiles[p], name: "p" + p, mode: "lines+markers", connectgaps: false,
               line: { width: 2, color: series.color, dash: series.dash } };
    }), { xaxis: { type: "category", fixedrange: true }, yaxis: { rangemode: "tozero", ticksuffix: " " + text.days, fixedrange: true } });
    plot("chart-dept-volumes", [
      { x: x, y: data.opened, name: text.opened, type: "bar", marker: bar(S.opened) },
      { x: x, y: data.resolved, name: text.resolved, type: "bar", marker: bar(S.resolved) },
      { x: x, y: data.csat, name: text.csat, yaxis: "y2", mode: "lines+markers", connectgaps: false,
        line: { color: S.csat.color, width: 2, dash: S.csat.dash } }
    ], { barmode: "group", xaxis: { type: "category", fixedrange: true }, yaxis: { rangemode: "tozero", fixedrange: true },
         yaxis2: { overlaying: "y", side: "right", range: [0, 101], ticksuffix: "%", showgrid: false, fixedrange: true },
         margin: { l: 44, r: 44, t: 8, b: 40 } });
  }

  /* Observed journeys: sources on the left, next touchpoints (and "no further contact") on the right. */
  function observed(data) {
    if (!data.links.length) return;
    var left = data.sources.length, labels = data.sources.concat(data.targets, [data.text.end]);
    var end = labels.length - 1;
    var source = [], target = [], value = [], colour = [];
    data.links.forEach(function (l) { source.push(l[0]); target.push(left + l[1]); value.push(l[2]); colour.push("rgba(0,114,178,0.35)"); });
    data.ends.forEach(function (e) {
      if (e[1] > 0) { source.push(e[0]); target.push(end); value.push(e[1]); colour.push("rgba(148,163,184,0.35)"); }
    });
    var nodeColours = labels.map(function (_l, i) { return i === end ? GREY : i < left ? "#08306B" : S.met.color; });
    plot("chart-sankey", [{
      type: "sankey", arrangement: "snap",
      node: { label: labels, color: nodeColours, pad: 12, thickness: 14, line: { width: 0 } },
      link: { source: source, target: target, value: value, color: colour,
              hovertemplate: "%{source.label} → %{target.label}: %{value} " + data.text.contacts + "<extra></extra>" }
    }], { margin: { l: 8, r: 8, t: 8, b: 8 } });
  }

  function autosubmit() {
    var form = document.querySelector("form[data-autosubmit]");
    if (!form) return;
    form.addEventListener("change", function (event) {
      if (event.target.matches("select")) form.requestSubmit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit();
    var source = element("dashboard-chart-data") || element("department-chart-data") || element("observed-chart-data");
    if (!source || !window.Plotly) return;
    var data = JSON.parse(source.textContent);
    if (source.id === "dashboard-chart-data") executive(data);
    else if (source.id === "department-chart-data") department(data);
    else observed(data);
    Promise.all(drawn).then(function () { document.body.setAttribute("data-charts-ready", ""); });
  });
})();
