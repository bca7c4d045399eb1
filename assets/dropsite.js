// The dropsite's drop zone (components/dropsite.py): files dropped on or picked in a
// zone wait here, in the browser, until the sender presses "Send"; then they go one
// after the other through the resumable upload routes (portal.js's portalUploadFiles)
// to the destination the server gave ({"kind": "dropsite", "batch": id}).
//
// The Reflex state learns what happens through two hidden buttons of the zone, whose
// click handlers ask this script (rx.call_script with a callback):
//   "dropsite-chosen-KEY"  -> portalDropsite.chosen(KEY): {key, files: [{name, size}]}
//   "dropsite-report-KEY"  -> portalDropsite.report(KEY): {key, reports: [{index,
//                            status, message}]} (status "uploading", "done" or
//                            "refused"), drained.
// portalUploadFiles draws the progress: <progress id="upload-progress-KEY-I"> and the
// text of <span id="upload-progress-label-KEY-I"> (elements with no React children).
(function () {
  const held = {};     // KEY -> File[] chosen and not yet sent
  const reports = {};  // KEY -> what happened since the state last asked
  const MAX_FILES = 100;

  function poke(kind, key) {
    const button = document.getElementById("dropsite-" + kind + "-" + key);
    if (button) { button.click(); }
  }

  function add(key, list) {
    const files = Array.from(list || []).filter(function (f) { return f && f.name; });
    if (!files.length) { return; }
    held[key] = (held[key] || []).concat(files).slice(0, MAX_FILES);
    poke("chosen", key);
  }

  function tell(key, index, status, message) {
    (reports[key] = reports[key] || []).push({ index: index, status: status, message: message || "" });
    poke("report", key);
  }

  window.portalDropsite = {
    chosen: function (key) {
      const files = (held[key] || []).map(function (f) { return { name: f.name, size: f.size }; });
      return { key: key, files: files };
    },
    remove: function (key, index) {
      (held[key] || []).splice(index, 1);
      return window.portalDropsite.chosen(key);
    },
    clear: function (key) { held[key] = []; reports[key] = []; return { key: key, files: [] }; },
    pick: function (key) {
      const input = document.getElementById("dropsite-input-" + key);
      if (input) { input.click(); }
    },
    report: function (key) {
      const out = reports[key] || [];
      reports[key] = [];
      return { key: key, reports: out };
    },
    // Every held file to ``destination``, one after the other (assets/portal.js's
    // portalUploadFiles draws each file's progress); the state hears of each.
    send: async function (key, destination) {
      const files = held[key] || [];
      held[key] = [];
      const started = {};
      if (typeof window.portalUploadFiles !== "function") {
        files.forEach(function (f, i) { tell(key, i, "refused", "The upload could not start. Reload the page."); });
        return;
      }
      await window.portalUploadFiles(key, destination, files, function (report) {
        if (report.status === "uploading") {
          if (started[report.index]) { return; }
          started[report.index] = true;
        }
        tell(key, report.index, report.status, report.status === "refused" ? report.message : "");
      });
    },
  };

  function zoneOf(target) {
    return target && target.closest ? target.closest("[data-dropsite]") : null;
  }

  document.addEventListener("dragover", function (event) {
    const zone = zoneOf(event.target);
    if (!zone) { return; }
    event.preventDefault();
    if (event.dataTransfer) { event.dataTransfer.dropEffect = "copy"; }
    zone.setAttribute("data-over", "true");
  });
  document.addEventListener("dragleave", function (event) {
    const zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) { zone.removeAttribute("data-over"); }
  });
  document.addEventListener("drop", function (event) {
    const zone = zoneOf(event.target);
    if (!zone) { return; }
    event.preventDefault();
    zone.removeAttribute("data-over");
    if (!event.dataTransfer) { return; }
    const files = typeof window.portalFilesFromDrop === "function"
      ? window.portalFilesFromDrop(event.dataTransfer) : event.dataTransfer.files;
    add(zone.getAttribute("data-dropsite"), files);
  });
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!input || !input.matches || !input.matches("input[data-dropsite-input]")) { return; }
    add(input.getAttribute("data-dropsite-input"), input.files);
    input.value = "";
  });
})();
