// Poll a running import's status and show its progress; reload once it is done.
(function () {
  const card = document.getElementById("import-run");
  if (!card || card.dataset.done === "1") return;
  const show = (data) => {
    for (const [name, value] of Object.entries(data)) {
      const cell = card.querySelector(`[data-field="${name}"]`);
      if (cell) cell.textContent = value;
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
