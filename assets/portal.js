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

  // Uploads: pick a file with the hidden input "upload-input-KEY" and stream it to the
  // authorizing upload route, showing progress in "upload-progress-KEY" and
  // "upload-progress-label-KEY". With ``valueInputId`` (a form's file field) the new
  // file's id goes into that hidden input. Resolves with {ok, message, widget: KEY, id,
  // name} once the upload ends, or {cancelled: true} when the picker is dismissed.
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
      input.onchange = function () {
        const file = input.files && input.files[0];
        if (!file) { done({ ok: false, cancelled: true, message: "" }); return; }
        const data = new FormData();
        data.append("file", file, file.name);
        const request = new XMLHttpRequest();
        request.open("POST", url);
        request.withCredentials = true;
        if (bar) { bar.hidden = false; bar.value = 0; }
        if (label) { label.textContent = "Uploading " + file.name + "…"; }
        request.upload.onprogress = function (event) {
          if (!event.lengthComputable) { return; }
          const percent = Math.round((event.loaded / event.total) * 100);
          if (bar) { bar.value = percent; }
          if (label) { label.textContent = "Uploading " + file.name + "… " + percent + "%"; }
        };
        request.onerror = function () {
          done({ ok: false, message: "The portal could not be reached. Check your connection and try again." });
        };
        request.onload = function () {
          let body = {};
          try { body = JSON.parse(request.responseText || "{}"); } catch (error) { body = {}; }
          const ok = request.status >= 200 && request.status < 300;
          const stored = body.file || {};
          done({
            ok: ok,
            id: stored.id || 0,
            name: stored.name || file.name,
            message: body.message || (ok ? "" : "The file could not be uploaded. Please try again."),
          });
        };
        request.send(data);
      };
      input.click();
    });
  };
})();
