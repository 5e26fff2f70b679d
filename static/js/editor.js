// The editors' keyboard glue (quote editor, rate cards): suggestion lists under a field, Enter in a
// charge line adds the next line, and focus stays where it was when htmx replaces part of the form.
(function () {
  "use strict";

  function listFor(input) {
    return document.querySelector('.suggestions[data-suggest-for="' + input.id + '"]');
  }

  function options(list) {
    return list ? Array.prototype.slice.call(list.querySelectorAll("button[data-value]")) : [];
  }

  function close(list) {
    if (!list) return;
    list.innerHTML = "";
    var input = document.getElementById(list.dataset.suggestFor);
    if (input) input.setAttribute("aria-expanded", "false");
  }

  function choose(button) {
    var list = button.closest(".suggestions");
    var input = document.getElementById(list.dataset.suggestFor);
    input.value = button.dataset.value;
    close(list);
    input.focus();
    // The field's own change handlers (contacts, carriers, the card's charges) take it from here.
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".suggestions button[data-value]");
    if (button) {
      event.preventDefault();
      choose(button);
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var inList = target.closest && target.closest(".suggestions");
    if (inList) {
      var items = options(inList);
      var at = items.indexOf(target);
      if (event.key === "ArrowDown" && at < items.length - 1) { items[at + 1].focus(); event.preventDefault(); }
      else if (event.key === "ArrowUp") {
        if (at > 0) items[at - 1].focus(); else document.getElementById(inList.dataset.suggestFor).focus();
        event.preventDefault();
      } else if (event.key === "Escape") {
        var owner = document.getElementById(inList.dataset.suggestFor);
        close(inList);
        owner.focus();
        event.preventDefault();
      }
      return;
    }
    var list = target.id ? listFor(target) : null;
    if (list) {
      var found = options(list);
      if (event.key === "ArrowDown" && found.length) { found[0].focus(); event.preventDefault(); return; }
      if (event.key === "Escape" && found.length) { close(list); event.preventDefault(); return; }
      if (event.key === "Enter" && found.length) {
        // Enter takes the first suggestion rather than sending the form half filled in.
        event.preventDefault();
        choose(found[0]);
        return;
      }
    }
    // Enter in a charge line adds the next line (the form is saved with its button).
    if (event.key === "Enter" && target.closest && target.closest("#lines") && target.tagName !== "BUTTON"
        && target.tagName !== "TEXTAREA") {
      event.preventDefault();
      addLine();
    }
  });

  // Charge lines are added and removed in the page, then priced again with the others: no answer
  // can bring back a line removed, or drop one added, while a request was on its way.
  function linesChanged() {
    lastEdit = Date.now();
    setTimeout(function () { document.body.dispatchEvent(new CustomEvent("linesStale")); }, 0);
  }

  function addLine() {
    var lines = document.getElementById("lines");
    var template = document.getElementById("line-template");
    if (!lines || !template) return;
    var next = 0;
    lines.querySelectorAll("[name^='lines-']").forEach(function (field) {
      var match = /^lines-(\d+)-/.exec(field.name);
      if (match) next = Math.max(next, Number(match[1]) + 1);
    });
    if (next >= 60) return;
    var body = lines.querySelector("tbody");
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__index__/g, String(next)));
    var row = body.lastElementChild;
    if (window.htmx) window.htmx.process(row);
    var first = row.querySelector("select");
    if (first) first.focus();
    linesChanged();
  }

  function removeLine(button) {
    var row = button.closest("tr");
    var body = row && row.parentElement;
    if (!body || body.querySelectorAll("tr:not(.line-errors)").length < 2) return;
    var errors = row.nextElementSibling;
    if (errors && errors.classList.contains("line-errors")) errors.remove();
    var after = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    var focus = after && after.querySelector("select, input:not([type=hidden])");
    if (focus) focus.focus();
    linesChanged();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("#add-line")) { event.preventDefault(); addLine(); return; }
    var remove = event.target.closest("[data-remove-line]");
    if (remove) { event.preventDefault(); removeLine(remove); }
  });

  // A suggestion list closes when focus leaves its field and the list.
  document.addEventListener("focusout", function (event) {
    var wrap = event.target.closest && event.target.closest(".suggest-wrap");
    if (!wrap) return;
    setTimeout(function () {
      if (!wrap.contains(document.activeElement)) close(wrap.querySelector(".suggestions"));
    }, 150);
  });

  // A row edited in place: back to the start of the table, and into its first field.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var row = event.detail.elt;
    if (row && row.matches && row.matches("tr.editing")) {
      var wrap = row.closest(".table-wrap");
      if (wrap) wrap.scrollLeft = 0;
      var first = row.querySelector("select, input:not([type=hidden])");
      if (first) first.focus({ preventScroll: true });
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (list && list.classList && list.classList.contains("suggestions")) {
      var input = document.getElementById(list.dataset.suggestFor);
      if (input) input.setAttribute("aria-expanded", options(list).length ? "true" : "false");
    }
  });

  // An answer about the charge lines that left while the agent kept typing would put back the values
  // the request carried: it is dropped, and the lines are asked for again with what is typed now.
  var lastEdit = 0;
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#quote-form")) lastEdit = Date.now();
  }, true);
  // While the form is being saved, the lines are not asked for again (the page is about to change).
  var saving = false;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "quote-form") {
      saving = true;
    } else if (saving && event.detail.target && event.detail.target.id === "lines") {
      event.preventDefault();
      return;
    }
    event.detail.xhr.sentAt = Date.now();
  });
  // (the form answers by replacing itself: it is done saving by the time its answer is swapped in)
  ["htmx:beforeSwap", "htmx:afterRequest", "htmx:sendError"].forEach(function (name) {
    document.body.addEventListener(name, function (event) {
      if (event.detail.elt && event.detail.elt.id === "quote-form") saving = false;
    });
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var sentAt = event.detail.xhr && event.detail.xhr.sentAt;
    if (target && target.id === "lines" && sentAt && lastEdit > sentAt && event.detail.xhr.status === 200) {
      event.detail.shouldSwap = false;
      setTimeout(function () { document.body.dispatchEvent(new CustomEvent("linesStale")); }, 0);
    }
  });

  // Keep the focus where it was when htmx replaces the part of the form that held it.
  var focused = null;
  document.body.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    focused = active && active.id ? active.id : null;
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!focused) return;
    var active = document.activeElement;
    if (!active || active === document.body) {
      var again = document.getElementById(focused);
      if (again) again.focus();
    }
    focused = null;
  });
})();
