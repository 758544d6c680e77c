// A statement run's page: while the run is queued or running, poll its status and show its
// progress; reload once it is done.
(function () {
  const card = document.getElementById("statement-run");
  if (!card || card.dataset.done === "1") return;
  const bar = document.getElementById("run-progress");
  const poll = async () => {
    const response = await fetch(card.dataset.statusUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    for (const [name, value] of Object.entries(data)) {
      const cell = card.querySelector(`[data-field="${name}"]`);
      if (cell) cell.textContent = value;
    }
    if (bar && data.reps) {
      bar.max = data.reps;
      bar.value = data.reps_done;
      bar.textContent = `${data.percent}%`;
    }
    if (data.done) window.location.reload();
    else setTimeout(poll, 1000);
  };
  setTimeout(poll, 500);
})();
