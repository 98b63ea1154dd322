// Small behaviours of the portal. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // Buttons and links with data-confirm ask before they act.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Close the administrator menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.admin-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });

  // "Select all" checkboxes: data-select-all="name" toggles every checkbox of that name.
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
    if (!name) {
      return;
    }
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  // Progress bars: <progress data-value="42"> is set from the attribute, since
  // inline style attributes are blocked by the CSP.
  function applyProgress(root) {
    root.querySelectorAll("[data-width-percent]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.getAttribute("data-width-percent")))) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applyProgress(document); });
  document.addEventListener("htmx:afterSwap", function (event) { applyProgress(event.target); });
})();
