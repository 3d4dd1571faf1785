/* Journey map: drag and drop of steps and stages (SortableJS), and the emotion curve (plotly).
   Everything else on the map is plain htmx; this file only adds what HTML cannot do. */
(function () {
  "use strict";

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  function post(url, values) {
    htmx.ajax("POST", url, { target: "#journey-map", swap: "outerHTML", values: values, headers: csrfHeaders() });
  }

  function enableDragAndDrop(map) {
    if (map.dataset.editable !== "1" || !window.Sortable) return;
    map.querySelectorAll(".jstage-steps").forEach(function (list) {
      Sortable.create(list, {
        group: "steps",
        handle: ".step-handle",
        draggable: ".jstep",
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
        animation: 120,
        forceFallback: true,
        onEnd: function (evt) {
          if (evt.oldDraggableIndex === evt.newDraggableIndex) return;
          post(evt.item.dataset.moveUrl, { to_position: evt.newDraggableIndex, version: evt.item.dataset.version });
        },
      });
    }
  }

  /* The curve is drawn over the emotion lane: x at each step's centre, y from −2 to +2. */
  function drawEmotionCurve(map) {
    var chart = map.querySelector("#emotion-chart");
    var grid = map.querySelector(".jmap-grid");
    var cells = map.querySelectorAll(".jstep .lane-emotion");
    if (!chart || !grid || !window.Plotly) return;
    if (!cells.length) {
      chart.hidden = true;
      return;
    }
    var origin = grid.getBoundingClientRect();
    var first = cells[0].getBoundingClientRect();
    var last = cells[cells.length - 1].getBoundingClientRect();
    var left = first.left - origin.left;
    var width = last.right - first.left;
    chart.hidden = false;
    chart.style.left = left + "px";
    chart.style.top = first.top - origin.top + "px";
    chart.style.width = width + "px";
    chart.style.height = first.height + "px";
    var xs = [], ys = [], labels = [];
    cells.forEach(function (cell) {
      var step = cell.closest(".jstep");
      var box = cell.getBoundingClientRect();
      xs.push(box.left - first.left + box.width / 2);
      ys.push(Number(step.dataset.emotion));
      labels.push(step.dataset.label);
    });
    Plotly.react(
      chart,
      [{ x: xs, y: ys, text: labels, mode: "lines+markers", line: { shape: "spline", width: 3, color: "#2563eb" },
         marker: { size: 9, color: ys.map(function (y) { return y < 0 ? "#dc2626" : y > 0 ? "#16a34a" : "#64748b"; }) },
         hoverinfo: "skip" }],
      { margin: { l: 0, r: 0, t: 6, b: 6 }, width: width, height: first.height,
        xaxis: { range: [0, width], visible: false, fixedrange: true },
        yaxis: { range: [-2.4, 2.4], visible: false, fixedrange: true, zeroline: true },
        shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 0, y1: 0, line: { color: "#cbd5e1", width: 1, dash: "dot" } }],
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", showlegend: false },
      { staticPlot: true, displayModeBar: false, responsive: false }
    );
  }

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    var map = elt.id === "journey-map" ? elt : elt.querySelector && elt.querySelector("#journey-map");
    if (map) {
      enableDragAndDrop(map);
      drawEmotionCurve(map);
      return;
    }
    var owner = elt.closest && elt.closest("#journey-map");
    if (owner) drawEmotionCurve(owner); // a step column was re-rendered after an edit
  });
  window.addEventListener("resize", function () {
    var map = document.getElementById("journey-map");
    if (map) drawEmotionCurve(map);
  });
})();
