/* As-is / to-be comparison: both emotion curves on one chart (data from a json_script element). */
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("compare-chart");
    var source = document.getElementById("compare-chart-data");
    if (!holder || !source || !window.Plotly) return;
    var data = JSON.parse(source.textContent);
    var xs = data.labels.map(function (_label, i) { return i + 1; });
    function trace(name, ys, colour, dash) {
      return { x: xs, y: ys, text: data.labels, name: name, mode: "lines+markers", connectgaps: false,
               line: { shape: "spline", width: 3, color: colour, dash: dash }, marker: { size: 8, color: colour },
               hovertemplate: "%{x}. %{text}<br>" + name + ": %{y}<extra></extra>" };
    }
    Plotly.react(
      holder,
      [trace(data.as_is_name, data.as_is, "#94a3b8", "dot"), trace(data.to_be_name, data.to_be, "#2563eb", "solid")],
      { margin: { l: 36, r: 12, t: 8, b: 36 }, height: 260,
        xaxis: { tickmode: "linear", dtick: 1, range: [0.5, xs.length + 0.5], fixedrange: true },
        yaxis: { range: [-2.4, 2.4], tickvals: [-2, -1, 0, 1, 2], fixedrange: true, zeroline: true },
        legend: { orientation: "h", x: 0, y: 1.12 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
        font: { family: "inherit", size: 12 } },
      { displayModeBar: false, responsive: true }
    );
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
