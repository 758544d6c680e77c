/* Draws the server-built Plotly figures and makes every element drill down.
 * Each figure's JSON sits in a <script type="application/json"> block named by data-figure;
 * a clicked point follows the drill-down URL in its customdata. When every chart is drawn,
 * <body data-charts="ready" data-chart-count="N"> tells tests and tools the page is complete. */
(function () {
  "use strict";

  function follow(url) {
    if (typeof url === "string" && url.charAt(0) === "/") {
      document.body.classList.add("loading");
      window.location.assign(url);
      return true;
    }
    return false;
  }

  function pointUrl(event) {
    var point = event && event.points && event.points[0];
    return point ? point.customdata : null;
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.figure);
    var figure = JSON.parse(source.textContent);
    var spark = element.classList.contains("spark");
    var config = {
      responsive: true,
      displaylogo: false,
      displayModeBar: false,
      staticPlot: spark
    };
    return Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      if (spark) { return; }
      element.on("plotly_click", function (event) { follow(pointUrl(event)); });
      element.on("plotly_treemapclick", function (event) {
        return !follow(pointUrl(event)); // false stops the zoom when we navigate
      });
    });
  }

  function drawAll() {
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    if (elements.length && typeof Plotly === "undefined") {
      document.body.dataset.charts = "failed";
      return;
    }
    Promise.all(elements.map(draw)).then(function () {
      document.body.dataset.chartCount = String(elements.length);
      document.body.dataset.charts = "ready";
    }, function (error) {
      document.body.dataset.charts = "failed";
      throw error;
    });
  }

  function scopeBar() {
    var form = document.getElementById("scope-form");
    if (!form) { return; }
    var details = document.getElementById("filters");
    if (details && window.matchMedia("(max-width: 760px)").matches) {
      details.open = false; // on a phone the filters fold into one line until asked for
    }
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") { form.requestSubmit(); }
    });
    form.addEventListener("submit", function () {
      // Keep shared URLs short: leave out the filters that are not set.
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && !field.value) { field.disabled = true; }
      });
      document.body.classList.add("loading");
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-drill], .scopebar a");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      document.body.classList.add("loading");
    }
  });
  window.addEventListener("pageshow", function () { document.body.classList.remove("loading"); });

  scopeBar();
  drawAll();
}());
