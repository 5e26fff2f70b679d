// The public status page: count the view once the page is shown (a POST beacon; the GET itself
// writes nothing), and the Print button. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var url = document.body.getAttribute("data-seen");
  if (url && navigator.sendBeacon && document.visibilityState !== "prerender") {
    navigator.sendBeacon(url);
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
