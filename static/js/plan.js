// The plan designer: a live chart per component from its table as typed (commission as % of
// quota against attainment, with marginal tiers; a bonus as the amount paid), components and
// table rows added from the formsets' empty forms, and the fields of other kinds hidden.
(function () {
  "use strict";
  const form = document.getElementById("plan-form");
  const template = document.getElementById("component-template");
  if (!form || !template) return;
  const list = document.getElementById("components");
  form.classList.add("designer-live");

  function rows(card, names) {
    const found = [];
    for (const row of card.querySelectorAll(`table.${names.table} tbody tr`)) {
      const x = parseFloat(row.querySelector(`input[name$="-${names.x}"]`).value);
      const y = parseFloat(row.querySelector(`input[name$="-${names.y}"]`).value);
      if (!Number.isNaN(x) && !Number.isNaN(y)) found.push({ x, y });
    }
    return found.sort((a, b) => a.x - b.x);
  }

  function commission(tiers, attainment) {
    let paid = 0;
    tiers.forEach((tier, index) => {
      const ceiling = index + 1 < tiers.length ? tiers[index + 1].x : Infinity;
      const slice = Math.min(attainment, ceiling) - tier.x;
      if (slice > 0) paid += (slice * tier.y) / 100;
    });
    return paid;
  }

  function bonus(thresholds, attainment) {
    return thresholds.filter((t) => t.x <= attainment).reduce((sum, t) => sum + t.y, 0);
  }

  const KINDS = {
    commission: { table: "tiers", x: "floor", y: "rate", pay: commission, unit: "% of quota", shape: "linear" },
    bonus: { table: "thresholds", x: "attainment", y: "amount", pay: bonus, unit: "amount", shape: "hv" },
  };

  function draw(card) {
    const kind = KINDS[card.dataset.kind];
    const chart = kind && card.querySelector(`.payout-chart[data-chart="${card.dataset.kind}"]`);
    if (!chart || typeof Plotly === "undefined") return;
    const points = rows(card, kind);
    const top = Math.max(200, ...points.map((p) => p.x + 50));
    const x = [];
    for (let a = 0; a <= top; a += 5) x.push(a);
    const y = x.map((a) => Math.round(kind.pay(points, a) * 100) / 100);
    Plotly.react(
      chart,
      [{ x, y, mode: "lines", line: { shape: kind.shape, width: 3 }, name: card.dataset.kind,
         hovertemplate: `%{x}% attainment: %{y} ${kind.unit}<extra></extra>` }],
      { margin: { l: 55, r: 10, t: 10, b: 40 }, height: 240,
        xaxis: { title: { text: "Attainment (%)" } },
        yaxis: { title: { text: kind.unit === "amount" ? "Bonus" : "Commission (% of quota)" }, rangemode: "tozero" },
        shapes: points.map((p) => ({ type: "line", x0: p.x, x1: p.x, yref: "paper", y0: 0, y1: 1,
                                     line: { dash: "dot", width: 1, color: "#999" } })) },
      { displaylogo: false, displayModeBar: false, responsive: true }
    );
    chart.dataset.points = y.length;
    chart.dataset.last = y[y.length - 1];
    document.body.dataset.charts = "ready";
  }

  function renumber(html, total) {
    return html.replace(/__prefix__/g, String(total));
  }

  function addComponent() {
    const total = form.querySelector("#id_components-TOTAL_FORMS");
    const index = Number(total.value);
    const holder = document.createElement("div");
    holder.innerHTML = renumber(template.innerHTML, index);
    const card = holder.firstElementChild;
    card.querySelector("legend").textContent = `Component ${index + 1}`;
    list.appendChild(card);
    total.value = index + 1;
    prepare(card);
    card.querySelector('input[name$="-name"]').focus();
  }

  function addRow(button) {
    const table = button.parentElement.querySelector("table.rows");
    const body = table.tBodies[0];
    const total = button.parentElement.querySelector('input[name$="-TOTAL_FORMS"]');
    const index = Number(total.value);
    const row = body.rows[body.rows.length - 1].cloneNode(true);
    row.cells[0].textContent = String(index + 1);
    for (const input of row.querySelectorAll("input")) {
      input.name = input.name.replace(/-\d+-(\w+)$/, `-${index}-$1`);
      input.id = `id_${input.name}`;
      const label = input.getAttribute("aria-label");
      if (label) input.setAttribute("aria-label", label.replace(/\d+,/, `${index + 1},`));
      input.value = "";
    }
    for (const stale of row.querySelectorAll(".errorlist")) stale.remove();
    body.appendChild(row);
    total.value = index + 1;
  }

  function prepare(card) {
    for (const button of card.querySelectorAll("button.add-row")) button.hidden = false;
    draw(card);
  }

  form.addEventListener("input", (event) => {
    const card = event.target.closest(".component");
    if (!card) return;
    if (event.target.matches('select[name$="-kind"]')) card.dataset.kind = event.target.value;
    if (event.target.matches('input[name$="-DELETE"]')) card.classList.toggle("removed", event.target.checked);
    draw(card);
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button.add-row");
    if (!button) return;
    addRow(button);
    draw(button.closest(".component"));
  });
  const add = document.getElementById("add-component");
  add.hidden = false;
  add.addEventListener("click", addComponent);
  for (const card of list.querySelectorAll(".component")) prepare(card);
  if (!list.querySelector(".component")) document.body.dataset.charts = "ready";
})();
