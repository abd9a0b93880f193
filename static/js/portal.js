/* Phone-first tables (issue #15): a table wider than the screen scrolls inside its own box, which
   says so ("左右滑动查看") and can be reached with the keyboard; the page itself never scrolls
   sideways. Runs once on load and again on resize; no inline script (the CSP forbids it). */
(function () {
  "use strict";

  function nameFor(box) {
    var table = box.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    if (table && table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    var el = box;
    while (el && el.tagName !== "MAIN") {
      var prev = el.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
        var h = prev.querySelector && prev.querySelector("h1, h2, h3, h4, h5, h6");
        if (h) return h.textContent.trim();
        prev = prev.previousElementSibling;
      }
      el = el.parentElement;
    }
    return "表格";
  }

  function wrapTables(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var parent = table.parentElement;
      if (parent.classList.contains("table-responsive") || parent.classList.contains("table-scroll")) {
        parent.classList.add("table-scroll");
        return;
      }
      var box = document.createElement("div");
      box.className = "table-scroll";
      parent.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  function mark(root) {
    root.querySelectorAll(".table-scroll").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-wide", wide);
      if (wide) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.getAttribute("aria-label")) box.setAttribute("aria-label", nameFor(box) + "（左右滑动查看）");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  function run(root) {
    wrapTables(root);
    mark(root);
  }

  document.addEventListener("DOMContentLoaded", function () { run(document); });
  window.addEventListener("resize", function () { mark(document); });
  // fragments swapped in by htmx get the same treatment
  document.addEventListener("htmx:afterSettle", function () { run(document); });
})();
