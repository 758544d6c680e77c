// The plan designer's live chart: commission (as % of quota) against attainment, from the
// tier table as typed. Marginal tiers: each rate pays on the slice of attainment in its row.
(function () {
  "use strict";
  const chart = document.getElementById("payout-chart");
  const table = document.getElementById("tiers");
  if (!chart || !table || typeof Plotly === "undefined") return;

  function tiers() {
    const rows = [];
    for (const row of table.tBodies[0].rows) {
      const floor = parseFloat(row.querySelector("input[name=floor]").value);
      const rate = parseFloat(row.querySelector("input[name=rate]").value);
      if (!Number.isNaN(floor) && !Number.isNaN(rate)) rows.push({ floor, rate });
    }
    return rows.sort((a, b) => a.floor - b.floor);
  }

  function payout(rows, attainment) {
    let paid = 0;
    rows.forEach((tier, index) => {
      const ceiling = index + 1 < rows.length ? rows[index + 1].floor : Infinity;
      const slice = Math.min(attainment, ceiling) - tier.floor;
      if (slice > 0) paid += (slice * tier.rate) / 100;
    });
    return paid;
  }

  function draw() {
    const rows = tiers();
    const top = Math.max(200, ...rows.map((t) => t.floor + 50));
    const x = [];
    for (let a = 0; a <= top; a += 5) x.push(a);
    const y = x.map((a) => Math.round(payout(rows, a) * 100) / 100);
    Plotly.react(
      chart,
      [{ x, y, mode: "lines", line: { shape: "linear", width: 3 }, name: "Commission",
         hovertemplate: "%{x}% attainment: %{y}% of quota<extra></extra>" }],
      { margin: { l: 50, r: 10, t: 10, b: 40 }, height: 260,
        xaxis: { title: { text: "Attainment (%)" } },
        yaxis: { title: { text: "Commission (% of quota)" }, rangemode: "tozero" },
        shapes: rows.map((t) => ({ type: "line", x0: t.floor, x1: t.floor, yref: "paper", y0: 0, y1: 1,
                                   line: { dash: "dot", width: 1, color: "#999" } })) },
      { displaylogo: false, displayModeBar: false, responsive: true }
    );
    chart.dataset.points = y.length;
    chart.dataset.last = y[y.length - 1];
    document.body.dataset.charts = "ready";
  }

  table.addEventListener("input", draw);
  draw();
})();
