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
})();
