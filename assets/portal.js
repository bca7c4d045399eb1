// Sign-in forms post to plain HTTP routes that set or clear the HttpOnly session
// cookie; the page then reloads so the next socket carries the new cookie.
(function () {
  async function send(url, payload) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload || {}),
      });
    } catch (error) {
      return { ok: false, status: 0, field: "",
               message: "The portal could not be reached. Check your connection and try again." };
    }
    let body = {};
    try { body = await response.json(); } catch (error) { body = {}; }
    const result = {
      ok: response.ok,
      status: response.status,
      field: body.field || "",
      message: body.message || (response.ok ? "" : "Something went wrong. Please try again."),
      next: body.next || "",
    };
    if (response.ok && body.next) {
      // Signed in or out: this tab starts over with a new client token, so the
      // server-side state the previous person filled is never looked up again.
      window.sessionStorage.removeItem("token");
      window.location.assign(body.next);
    }
    return result;
  }

  window.portalSubmit = function (formId, url) {
    const form = document.getElementById(formId);
    const payload = form ? Object.fromEntries(new FormData(form).entries()) : {};
    return send(url, payload);
  };

  window.portalPost = function (url) {
    return send(url, {});
  };

  // Ctrl+Enter (Cmd+Enter on a Mac) in a text area marked data-submit-shortcut sends
  // its form, so comments are posted without reaching for the mouse.
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || !target
        || target.tagName !== "TEXTAREA" || !target.hasAttribute("data-submit-shortcut")) {
      return;
    }
    const form = target.form;
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // --- Resumable uploads (api/transfers.py) ------------------------------------------
  // Every upload goes through the resumable routes: POST /uploads (the destination,
  // name and size are checked before a byte is sent), then PATCH /uploads/ID with
  // "Upload-Offset" and a piece of chunk_size bytes at a time. A piece that fails on
  // the network is retried with backoff after asking HEAD /uploads/ID where the
  // server got to. The upload id is kept in localStorage under the file's fingerprint
  // (destination + name + size + lastModified): picking the same file again after a
  // reload or a dropped connection continues from the server's offset.
  const UNREACHABLE = "The portal could not be reached. Check your connection and try again.";
  const STORE = "portal.uploads";
  const RETRIES = 5;
  const RETRYABLE = [0, 408, 429, 500, 502, 504];

  function remembered() {
    try { return JSON.parse(window.localStorage.getItem(STORE) || "{}") || {}; }
    catch (error) { return {}; }
  }
  function keep(all) {
    try { window.localStorage.setItem(STORE, JSON.stringify(all)); } catch (error) { /* full or off */ }
  }
  function fingerprint(destination, file) {
    return JSON.stringify([destination, file.name, file.size, file.lastModified || 0]);
  }
  function remember(print, id, chunkSize) {
    const all = remembered();
    const now = Date.now();
    for (const k of Object.keys(all)) {  // the server forgets uploads after 24 hours
      if (!all[k] || now - all[k].at > 24 * 3600 * 1000) { delete all[k]; }
    }
    all[print] = { id: id, chunk: chunkSize, at: now };
    keep(all);
  }
  function forget(print) {
    const all = remembered();
    delete all[print];
    keep(all);
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // One request; resolves (never rejects) with {status, body, offset, complete}.
  // status 0 is a network error.
  function xhr(method, url, options) {
    const opts = options || {};
    return new Promise(function (resolve) {
      const request = new XMLHttpRequest();
      request.open(method, url);
      request.withCredentials = true;
      const headers = opts.headers || {};
      for (const name of Object.keys(headers)) { request.setRequestHeader(name, headers[name]); }
      if (opts.onProgress && request.upload) {
        request.upload.onprogress = function (event) { opts.onProgress(event.loaded); };
      }
      request.onerror = request.ontimeout = request.onabort = function () {
        resolve({ status: 0, body: {}, offset: null, complete: false });
      };
      request.onload = function () {
        let body = {};
        try { body = JSON.parse(request.responseText || "{}"); } catch (error) { body = {}; }
        const header = request.getResponseHeader("Upload-Offset");
        resolve({
          status: request.status,
          body: body,
          offset: header === null || header === "" ? null : Number(header),
          complete: request.getResponseHeader("Upload-Complete") === "1",
        });
      };
      request.send(opts.body === undefined ? null : opts.body);
    });
  }

  function refusal(answer, fallback) {
    return (answer.body && answer.body.message) || (answer.status === 0 ? UNREACHABLE : fallback);
  }

  // Upload one File to a destination ({kind: "widget", page, widget}, {kind: "folder",
  // folder}, {kind: "library", ...}, {kind: "dropsite", batch}). onProgress(sent, total,
  // resumed) is called as bytes go. Resolves (never rejects) with
  // {ok, status, message, body, resumed}: body is the destination's JSON answer
  // ({file: {...}} for a widget); ok is false for a refusal (message says why) and
  // for a file the virus scanner held back (status 422).
  async function transfer(file, destination, onProgress) {
    const progress = onProgress || function () {};
    const print = fingerprint(destination, file);
    const url = function (id) { return "/uploads/" + encodeURIComponent(id); };
    let id = null;
    let chunk = 8 * 1024 * 1024;
    let offset = 0;
    let resumed = false;
    const known = remembered()[print];
    if (known && known.id) {
      const head = await xhr("HEAD", url(known.id));
      if (head.status === 200 && head.offset !== null) {
        id = known.id; chunk = known.chunk || chunk; offset = head.offset; resumed = offset > 0;
        if (head.complete) {  // finished before the reload: ask for the answer again
          const done = await xhr("GET", url(id));
          forget(print);
          progress(file.size, file.size, true);
          return finished(done, true);
        }
      } else {
        forget(print);
      }
    }
    if (id === null) {
      const created = await xhr("POST", "/uploads", {
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ destination: destination, name: file.name, size: file.size }),
      });
      if (created.status !== 201 || !created.body.id) {
        return { ok: false, status: created.status, body: created.body, resumed: false,
                 message: refusal(created, "The file could not be uploaded. Please try again.") };
      }
      id = created.body.id;
      chunk = created.body.chunk_size || chunk;
      remember(print, id, chunk);
    }
    progress(offset, file.size, resumed);
    let failures = 0;
    for (;;) {
      const end = Math.min(offset + chunk, file.size);
      const start = offset;
      const answer = await xhr("PATCH", url(id), {
        headers: { "Upload-Offset": String(start), "Content-Type": "application/offset+octet-stream" },
        body: file.slice(start, end),
        onProgress: function (loaded) { progress(Math.min(start + loaded, file.size), file.size, resumed); },
      });
      if (answer.body && answer.body.done) {
        forget(print);
        progress(file.size, file.size, resumed);
        return finished(answer, resumed);
      }
      if (answer.status === 204 && answer.offset !== null) {
        offset = answer.offset; failures = 0;
        continue;
      }
      if (answer.status === 409 && answer.offset !== null) {  // the server says where it is
        offset = answer.offset;
        if (++failures > RETRIES) { break; }
        await wait(500 * failures);
        continue;
      }
      if (RETRYABLE.indexOf(answer.status) >= 0 && failures < RETRIES) {
        failures += 1;
        await wait(Math.min(1000 * Math.pow(2, failures - 1), 15000));
        const head = await xhr("HEAD", url(id));
        if (head.status === 200 && head.offset !== null) {
          offset = head.offset;
          if (head.complete) {
            const done = await xhr("GET", url(id));
            forget(print);
            return finished(done, resumed);
          }
        }
        resumed = true;
        continue;
      }
      if (answer.status !== 0) { forget(print); }  // refused: a new upload next time
      return { ok: false, status: answer.status, body: answer.body, resumed: resumed,
               message: refusal(answer, "The file could not be uploaded. Please try again.") };
    }
    return { ok: false, status: 409, body: {}, resumed: resumed,
             message: "The upload could not continue. Please try again." };
  }

  function finished(answer, resumed) {
    const ok = answer.status >= 200 && answer.status < 300;
    return { ok: ok, status: answer.status, body: answer.body || {}, resumed: resumed,
             message: (answer.body && answer.body.message)
               || (ok ? "" : "The file could not be uploaded. Please try again.") };
  }

  window.portalTransfer = transfer;

  // The destination a widget's upload URL names ("/files/upload?page=ID&widget=WID").
  function widgetDestination(url) {
    const query = new URL(url, window.location.href).searchParams;
    const page = Number(query.get("page"));
    return { kind: "widget", page: Number.isFinite(page) ? page : query.get("page"),
             widget: query.get("widget") || "" };
  }

  // Uploads: pick a file with the hidden input "upload-input-KEY" and send it through
  // the resumable routes to the widget ``url`` names, showing progress in
  // "upload-progress-KEY" and "upload-progress-label-KEY". With ``valueInputId`` (a
  // form's file field) the new file's id goes into that hidden input. Resolves with
  // {ok, message, widget: KEY, id, name} once the upload ends, or {cancelled: true}
  // when the picker is dismissed. Picking the same file again after an interruption
  // continues where it stopped.
  window.portalUpload = function (key, url, valueInputId) {
    const input = document.getElementById("upload-input-" + key);
    const bar = document.getElementById("upload-progress-" + key);
    const label = document.getElementById("upload-progress-label-" + key);
    const target = valueInputId ? document.getElementById(valueInputId) : null;
    if (!input) {
      return Promise.resolve({ ok: false, widget: key,
                               message: "The upload could not start. Reload the page." });
    }
    return new Promise(function (resolve) {
      const done = function (result) {
        input.value = "";
        input.onchange = null;
        input.oncancel = null;
        if (bar) { bar.hidden = true; bar.value = 0; }
        if (label) {
          label.textContent = target && result.ok ? "Attached: " + result.name : "";
        }
        if (target && result.ok) { target.value = String(result.id); }
        resolve(Object.assign({ widget: key }, result));
      };
      input.oncancel = function () { done({ ok: false, cancelled: true, message: "" }); };
      input.onchange = async function () {
        const file = input.files && input.files[0];
        if (!file) { done({ ok: false, cancelled: true, message: "" }); return; }
        if (bar) { bar.hidden = false; bar.value = 0; }
        if (label) { label.textContent = "Uploading " + file.name + "…"; }
        const result = await transfer(file, widgetDestination(url), function (sent, total, resumed) {
          const percent = total ? Math.round((sent / total) * 100) : 100;
          if (bar) { bar.value = percent; }
          if (label) {
            label.textContent = (resumed ? "Resuming " : "Uploading ") + file.name + "… " + percent + "%";
          }
        });
        const stored = (result.body && result.body.file) || {};
        done({ ok: result.ok, id: stored.id || 0, name: stored.name || file.name,
               message: result.message });
      };
      input.click();
    });
  };

  // portalUploadFiles(key, destination, files, onEach) -> Promise<results>
  //
  // Uploads several files, one after the other, to one destination (any kind
  // portalTransfer takes: {kind: "folder", folder: ID}, {kind: "library", page, widget,
  // folder}, {kind: "dropsite", batch: ID}, {kind: "widget", page, widget}).
  // - files: a FileList or an array of File (portalFilesFromDrop(dataTransfer) gives one
  //   from a drop).
  // - Draws, for file I (0-based, in the order given), when the elements exist:
  //   <progress id="upload-progress-KEY-I"> (value 0..100) and the text of
  //   <span id="upload-progress-label-KEY-I"> ("42%", "Resuming… 60%", "Uploaded",
  //   or the refusal). Give them no React children: this script writes them.
  // - Reports each change through onEach(report) when given, and as a DOM event
  //   "portal-upload" on document (event.detail = report), where report is
  //   {key, index, name, size, status: "uploading" | "done" | "refused", percent,
  //    message, result}; result is the destination's JSON ({file: {...}}) once done.
  //   "uploading" reports come at most every 250 ms per file.
  // - Resolves with [{index, name, ok, status, message, result}] for all files; never
  //   rejects. An interrupted file resumes when the same file is given again.
  window.portalUploadFiles = async function (key, destination, files, onEach) {
    const list = Array.from(files || []);
    const results = [];
    const report = function (detail) {
      const full = Object.assign({ key: key }, detail);
      if (typeof onEach === "function") {
        try { onEach(full); } catch (error) { /* the caller's problem, not the upload's */ }
      }
      document.dispatchEvent(new CustomEvent("portal-upload", { detail: full }));
    };
    for (let index = 0; index < list.length; index += 1) {
      const file = list[index];
      const bar = document.getElementById("upload-progress-" + key + "-" + index);
      const label = document.getElementById("upload-progress-label-" + key + "-" + index);
      let last = 0;
      const base = { index: index, name: file.name, size: file.size };
      const result = await transfer(file, destination, function (sent, total, resumed) {
        const percent = total ? Math.round((sent / total) * 100) : 100;
        if (bar) { bar.value = percent; }
        if (label) { label.textContent = (resumed ? "Resuming… " : "") + percent + "%"; }
        const now = Date.now();
        if (now - last >= 250 || percent === 100) {
          last = now;
          report(Object.assign({ status: "uploading", percent: percent, message: "", result: null }, base));
        }
      });
      if (bar) { bar.value = result.ok ? 100 : bar.value; }
      if (label) { label.textContent = result.ok ? "Uploaded" : result.message; }
      report(Object.assign({ status: result.ok ? "done" : "refused", percent: result.ok ? 100 : 0,
                             message: result.message, result: result.body }, base));
      results.push({ index: index, name: file.name, ok: result.ok, status: result.status,
                     message: result.message, result: result.body });
    }
    return results;
  };

  // The files of a drop (a DragEvent's dataTransfer), folders left out (a dropped
  // folder isn't a file the portal can take).
  window.portalFilesFromDrop = function (dataTransfer) {
    if (!dataTransfer) { return []; }
    const items = Array.from(dataTransfer.items || []);
    if (items.length) {
      const files = [];
      for (const item of items) {
        if (item.kind !== "file") { continue; }
        const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
        if (entry && entry.isDirectory) { continue; }
        const file = item.getAsFile();
        if (file) { files.push(file); }
      }
      return files;
    }
    return Array.from(dataTransfer.files || []);
  };
})();
