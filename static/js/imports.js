// The import run page: apply once (the button is disabled once pressed), and while the run is
// queued or running, poll its status and show its progress; reload once it is done.
(function () {
  const apply = document.querySelector("form[data-apply]");
  if (apply) {
    apply.addEventListener("submit", () => {
      const button = apply.querySelector("button[type=submit]");
      // Disabled after the submit has started, so the form still sends.
      setTimeout(() => { button.disabled = true; button.textContent = "Applying…"; }, 0);
    });
  }
  const card = document.getElementById("import-run");
  if (!card || card.dataset.done === "1") return;
  const bar = document.getElementById("import-progress");
  const show = (data) => {
    for (const [name, value] of Object.entries(data)) {
      const cell = card.querySelector(`[data-field="${name}"]`);
      if (cell) cell.textContent = value;
    }
    if (bar && data.total_rows) {
      bar.max = data.total_rows;
      bar.value = data.rows;
      bar.textContent = `${data.percent}%`;
    }
  };
  const poll = async () => {
    const response = await fetch(card.dataset.statusUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    show(data);
    if (data.done) window.location.reload();
    else setTimeout(poll, 1000);
  };
  setTimeout(poll, 500);
})();
