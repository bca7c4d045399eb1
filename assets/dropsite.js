// The dropsite's drop zone (components/dropsite.py): files dropped on or picked in a
// zone wait here, in the browser, until the sender presses "Send"; then they go one
// after the other through the resumable upload routes (POST/PATCH /uploads) to the
// destination the server gave ({"kind": "dropsite", "batch": id}).
//
// The Reflex state learns what happens through two hidden buttons of the zone, whose
// click handlers ask this script (rx.call_script with a callback):
//   "dropsite-chosen-KEY"  -> portalDropsite.chosen(KEY): {key, files: [{name, size}]}
//   "dropsite-report-KEY"  -> portalDropsite.report(KEY): {key, reports: [{index,
//                            status, message}]} (status "uploading", "done" or
//                            "refused"), drained.
// Progress is drawn here: <progress id="dropsite-progress-KEY-I"> and the text of
// <span id="dropsite-percent-KEY-I"> (elements with no React children).
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

  function draw(key, index, percent) {
    const bar = document.getElementById("dropsite-progress-" + key + "-" + index);
    const text = document.getElementById("dropsite-percent-" + key + "-" + index);
    if (bar) { bar.value = percent; }
    if (text) { text.textContent = percent + "%"; }
  }

  async function answer(response) {
    let body = {};
    try { body = await response.json(); } catch (error) { body = {}; }
    return body;
  }

  function patch(id, offset, blob, onProgress) {
    return new Promise(function (resolve) {
      const request = new XMLHttpRequest();
      request.open("PATCH", "/uploads/" + encodeURIComponent(id));
      request.withCredentials = true;
      request.setRequestHeader("Upload-Offset", String(offset));
      request.setRequestHeader("Content-Type", "application/offset+octet-stream");
      request.upload.onprogress = function (event) { onProgress(event.loaded); };
      request.onerror = function () { resolve({ status: 0, body: {}, offset: null }); };
      request.onload = function () {
        let body = {};
        try { body = JSON.parse(request.responseText || "{}"); } catch (error) { body = {}; }
        const header = request.getResponseHeader("Upload-Offset");
        resolve({ status: request.status, body: body, offset: header === null ? null : Number(header) });
      };
      request.send(blob);
    });
  }

  const UNREACHABLE = "The portal could not be reached. Check your connection and try again.";

  async function uploadOne(key, index, file, destination) {
    draw(key, index, 0);
    let created;
    try {
      created = await fetch("/uploads", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ destination: destination, name: file.name, size: file.size }),
      });
    } catch (error) {
      return { ok: false, message: UNREACHABLE };
    }
    const start = await answer(created);
    if (!created.ok) {
      return { ok: false, message: start.message || "The file could not be sent." };
    }
    const chunk = Math.max(64 * 1024, Number(start.chunk_size) || 8 * 1024 * 1024);
    let offset = Number(start.offset) || 0;
    let retries = 0;
    if (file.size === 0) {
      return { ok: false, message: "This file is empty." };
    }
    while (offset < file.size) {
      const end = Math.min(file.size, offset + chunk);
      const from = offset;
      const sent = await patch(start.id, offset, file.slice(offset, end), function (loaded) {
        draw(key, index, Math.min(99, Math.floor(((from + loaded) / file.size) * 100)));
      });
      if (sent.status === 0 || sent.status >= 500) {
        // A dropped connection: ask where the upload stands and continue from there.
        if (++retries > 5) { return { ok: false, message: UNREACHABLE }; }
        await new Promise(function (r) { setTimeout(r, 1000 * retries); });
        try {
          const status = await fetch("/uploads/" + encodeURIComponent(start.id),
                                     { method: "HEAD", credentials: "same-origin" });
          const at = status.headers.get("Upload-Offset");
          if (status.ok && at !== null) { offset = Number(at); }
        } catch (error) { /* try again */ }
        continue;
      }
      if (sent.status === 409 && sent.offset !== null) { offset = sent.offset; continue; }
      if (sent.status === 201 || sent.body.done) {
        draw(key, index, 100);
        return { ok: true, message: "" };
      }
      if (sent.status !== 204) {
        return { ok: false, message: sent.body.message || "The file could not be sent." };
      }
      retries = 0;
      offset = sent.offset === null ? end : sent.offset;
    }
    draw(key, index, 100);
    return { ok: true, message: "" };
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
    // Every held file to ``destination``, one after the other; the state hears of each.
    send: async function (key, destination) {
      const files = held[key] || [];
      held[key] = [];
      for (let i = 0; i < files.length; i++) {
        tell(key, i, "uploading", "");
        let result;
        try {
          result = await uploadOne(key, i, files[i], destination);
        } catch (error) {
          result = { ok: false, message: "The file could not be sent. Please try again." };
        }
        tell(key, i, result.ok ? "done" : "refused", result.message);
      }
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
    if (event.dataTransfer) { add(zone.getAttribute("data-dropsite"), event.dataTransfer.files); }
  });
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!input || !input.matches || !input.matches("input[data-dropsite-input]")) { return; }
    add(input.getAttribute("data-dropsite-input"), input.files);
    input.value = "";
  });
})();
