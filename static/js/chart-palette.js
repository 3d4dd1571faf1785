/* One colour per series across every chart (dashboards, touchpoint page, PDF), from the Okabe–Ito
   palette, which people with any common colour-vision deficiency tell apart. A colour is never the
   only sign: bad service is also hatched, lines also differ in dash, and each series has a legend. */
(function () {
  "use strict";
  var OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];
  window.CXCharts = {
    SERIES: {
      met: { color: "#0072B2" },                                        /* cases within target, target met */
      below: { color: "#D55E00", pattern: { shape: "/", fillmode: "overlay", fgcolor: "#ffffff", size: 6, solidity: 0.3 } },
      breach: { color: "#D55E00", pattern: { shape: "/", fillmode: "overlay", fgcolor: "#ffffff", size: 6, solidity: 0.3 } },
      few: { color: "#D1D5DB" },                                        /* too few cases to judge */
      target: { color: "#000000" },
      clv: { color: "#009E73", dash: "solid" },
      s: { color: "#E69F00", dash: "dash" },
      l: { color: "#CC79A7", dash: "dot" },
      opened: { color: "#9CA3AF", pattern: { shape: ".", fillmode: "overlay", fgcolor: "#ffffff", size: 5, solidity: 0.2 } },
      resolved: { color: "#56B4E9" },
      csat: { color: "#CC79A7", dash: "dashdot" },
      p50: { color: "#56B4E9", dash: "solid" },
      p80: { color: "#0072B2", dash: "dash" },
      p90: { color: "#000000", dash: "dot" },
      /* Service level within 1, 3, 5 and 10 days: one hue, darker and denser as the threshold grows. */
      within1: { color: "#9ECAE1", dash: "dot" },
      within3: { color: "#56B4E9", dash: "dashdot" },
      within5: { color: "#0072B2", dash: "dash" },
      within10: { color: "#08306B", dash: "solid" },
      against_target: { color: "#D55E00", dash: "solid" }
    },
    /* A touchpoint keeps its colour whatever else is on the chart: chosen by its id, not its place. */
    touchpoint: function (id) { return OKABE_ITO[Math.abs(id) % OKABE_ITO.length]; },
    DASHES: ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"],
    /* Money on an axis and in a tooltip in the reader's language (prefix "₽" or suffix " ₽"). */
    moneyAxis: function (money) {
      return { tickprefix: money.prefix, ticksuffix: money.suffix, tickformat: money.tickformat, automargin: true };
    }
  };
})();
