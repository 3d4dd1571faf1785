/* Journey map: drag and drop of steps and stages (SortableJS). Everything else on the map is plain
   htmx, and the emotion curve is SVG drawn on the server; this file only adds what HTML cannot do. */
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

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    var map = elt.id === "journey-map" ? elt : elt.querySelector && elt.querySelector("#journey-map");
    if (map) enableDragAndDrop(map);
  });
})();
