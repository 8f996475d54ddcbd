// The import page's progress bar: ask for the progress every second while the import runs,
// and reload the page (with its report) once it is done. Without JavaScript the page
// refreshes itself instead (a <noscript> meta refresh).
(function () {
  "use strict";
  var card = document.querySelector("[data-progress-url]");
  if (!card || card.getAttribute("data-status") !== "running") { return; }
  var url = card.getAttribute("data-progress-url");
  function set(name, value) {
    var el = card.querySelector('[data-field="' + name + '"]');
    if (el) { el.textContent = Number(value).toLocaleString("en-GB"); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 3000); return; }
        var bar = card.querySelector('[data-field="bar"]');
        if (bar) { bar.max = data.total || 1; bar.value = data.processed; }
        ["processed", "created", "updated", "unchanged", "refused"].forEach(function (k) { set(k, data[k]); });
        if (data.status === "running") { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
