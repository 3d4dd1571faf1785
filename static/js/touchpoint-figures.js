/* A touchpoint's figures over time: three plotly charts from one json_script element. */
(function () {
  "use strict";
  var C = window.CXCharts, S = C.SERIES;
  var LAYOUT = {
    margin: { l: 44, r: 12, t: 8, b: 40 }, height: 300, paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)", font: { family: "inherit", size: 12 },
    /* Above the plot, growing upwards as it wraps (long Russian names), never over the lines. */
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }, xaxis: { type: "category", fixedrange: true }
  };
  function layout(extra) { return Object.assign({}, LAYOUT, extra); }
  var CONFIG = { displayModeBar: false, responsive: true };

  function draw() {
    var source = document.getElementById("figures-chart-data");
    if (!source || !window.Plotly) return;
    var data = JSON.parse(source.textContent);
    var x = data.labels;
    var text = data.text, within = text.within;

    var levels = Object.keys(data.thresholds).map(function (days) {
      return { x: x, y: data.thresholds[days], name: within.replace("%s", days), mode: "lines+markers",
               line: { color: S["within" + days].color, dash: S["within" + days].dash, width: 2 }, connectgaps: false,
               hovertemplate: "%{x}: %{y}%<extra>" + within.replace("%s", days) + "</extra>" };
    });
    var shapes = [];
    if (data.against_target) {
      levels.push({ x: x, y: data.against_target, name: text.target,
                    mode: "lines+markers", line: { color: S.against_target.color, width: 3 }, connectgaps: false });
      shapes.push({ type: "line", xref: "paper", x0: 0, x1: 1, y0: data.target_share, y1: data.target_share,
                    line: { color: S.target.color, width: 1, dash: "dash" } });
    }
    Plotly.react("chart-service-level", levels,
                 layout({ yaxis: { range: [0, 101], ticksuffix: "%", fixedrange: true }, shapes: shapes,
                          margin: { l: 44, r: 12, t: 64, b: 40 } }), CONFIG);

    var percentiles = ["50", "80", "90"].map(function (p) {
      var series = S["p" + p];
      return { x: x, y: data.percentiles[p], name: "p" + p, mode: "lines+markers", connectgaps: false,
               line: { width: 2, color: series.color, dash: series.dash } };
    });
    Plotly.react("chart-percentiles", percentiles, layout({ yaxis: { rangemode: "tozero", ticksuffix: " " + text.days, fixedrange: true },
                                                           margin: { l: 44, r: 12, t: 32, b: 40 } }), CONFIG);

    Plotly.react("chart-volumes", [
      { x: x, y: data.opened, name: text.opened, type: "bar", marker: { color: S.opened.color, pattern: S.opened.pattern } },
      { x: x, y: data.resolved, name: text.resolved, type: "bar", marker: { color: S.resolved.color } }
    ], layout({ height: 220, barmode: "group", yaxis: { rangemode: "tozero", fixedrange: true } }), CONFIG);
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
