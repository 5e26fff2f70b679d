// Glue between htmx and the page: toasts from HX-Trigger, and errors the server could not render.
(function () {
  "use strict";
  var region = document.getElementById("toasts");
  var body = document.body;

  function toast(level, message) {
    if (!region || !message) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (level || "info");
    el.setAttribute("role", level === "error" ? "alert" : "status");
    el.textContent = message;
    region.appendChild(el);
    armToast(el);
  }

  function armToast(el) {
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", body.dataset.msgDismiss || "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { el.remove(); });
    el.appendChild(close);
    if (!el.classList.contains("toast-error")) {
      setTimeout(function () { el.remove(); }, 6000);
    }
  }

  Array.prototype.forEach.call(region ? region.children : [], armToast);

  body.addEventListener("toast", function (event) {
    var items = Array.isArray(event.detail) ? event.detail : (event.detail && event.detail.value) || [];
    items.forEach(function (item) { toast(item.level, item.message); });
  });

  body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    // The server already said what went wrong (as a toast), or is sending the user elsewhere.
    if (xhr.getResponseHeader("HX-Trigger") || xhr.getResponseHeader("HX-Redirect") || xhr.getResponseHeader("HX-Refresh")) return;
    toast("error", body.dataset.msgError);
  });

  body.addEventListener("htmx:sendError", function () {
    toast("error", body.dataset.msgOffline);
  });
})();
