// Polls a generation job's state and reloads its page once the image is ready (or failed).
(function () {
  "use strict";
  var status = document.getElementById("job-progress");
  if (!status) return;
  var url = status.getAttribute("data-state-url");
  var started = Date.now();
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job && (job.state === "done" || job.state === "failed")) { window.location.reload(); return; }
        var seconds = Math.round((Date.now() - started) / 1000);
        if (job) status.textContent = (job.state === "queued" ? "Waiting for a free generator… " : "Generating… ") + seconds + " s";
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 500);
})();
