// dashboard.js draws the staff dashboard's charts (vendored Chart.js) from
// the JSON data block the page embeds as <script type="application/json"
// id="stats-data">. Every figure is also in the table beside its chart, and
// the charts stay hidden without JavaScript, so nothing depends on them.
(function () {
  "use strict";
  var block = document.getElementById("stats-data");
  if (!block || typeof window.Chart === "undefined") {
    return;
  }
  var data;
  try {
    data = JSON.parse(block.textContent);
  } catch (e) {
    return;
  }
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw(id, type, series) {
    var canvas = document.getElementById(id);
    if (!canvas || !series) {
      return;
    }
    var figure = canvas.closest("figure");
    if (figure) {
      figure.hidden = false;
    }
    var options = {
      responsive: true,
      // The figure sets the height, so the charts stay within a laptop screen.
      maintainAspectRatio: false,
      plugins: {
        legend: { display: type === "doughnut" },
        title: { display: true, text: series.title }
      }
    };
    if (type === "bar") {
      options.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
    }
    if (still) {
      options.animation = false;
    }
    new window.Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: [{ label: data.count_label, data: series.counts }] },
      options: options
    });
  }

  draw("chart-status", "bar", data.status);
  draw("chart-category", "doughnut", data.category);
  draw("chart-backlog", "bar", data.backlog);
})();
