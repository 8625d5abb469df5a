// The slot picker's month grid: one day in the tab order (roving tabindex); the arrow keys move
// between days, Home/End to the week's ends, Enter or Space picks a free day. Without this file the
// free days are ordinary links. After htmx swaps the panel, focus returns to where it was.
(function () {
  "use strict";

  function cells(grid) {
    return Array.prototype.slice.call(grid.querySelectorAll("td[data-date]"));
  }

  function setup(grid) {
    var all = cells(grid);
    if (!all.length) return;
    var current = grid.querySelector('td[aria-selected="true"]') || grid.querySelector("td.free") || all[0];
    all.forEach(function (cell) {
      cell.tabIndex = cell === current ? 0 : -1;
      var link = cell.querySelector("a");
      if (link) link.tabIndex = -1;
    });
  }

  function move(grid, from, to) {
    if (!to) return;
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }

  function neighbour(grid, cell, key) {
    var all = cells(grid);
    var i = all.indexOf(cell);
    var row = cell.parentNode;
    var inRow = Array.prototype.slice.call(row.querySelectorAll("td[data-date]"));
    switch (key) {
      case "ArrowLeft": return all[i - 1];
      case "ArrowRight": return all[i + 1];
      case "ArrowUp": return byDate(grid, cell, -7);
      case "ArrowDown": return byDate(grid, cell, 7);
      case "Home": return inRow[0];
      case "End": return inRow[inRow.length - 1];
    }
    return null;
  }

  function byDate(grid, cell, days) {
    var d = new Date(cell.getAttribute("data-date") + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return grid.querySelector('td[data-date="' + d.toISOString().slice(0, 10) + '"]');
  }

  document.addEventListener("keydown", function (event) {
    var cell = event.target.closest && event.target.closest("td[data-date]");
    var grid = cell && cell.closest("[data-date-grid]");
    if (!grid) return;
    if (event.key === "Enter" || event.key === " ") {
      var link = cell.querySelector("a");
      event.preventDefault();
      if (link) link.click();
      return;
    }
    var to = neighbour(grid, cell, event.key);
    if (to !== null) {
      event.preventDefault();
      move(grid, cell, to);
    }
  });

  var refocus = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    if (!active) return;
    refocus = active.getAttribute("data-date")
      ? 'td[data-date="' + active.getAttribute("data-date") + '"]'
      : active.id ? "#" + active.id : null;
  });

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-date-grid]"), setup);
  }

  document.addEventListener("htmx:afterSettle", function () {
    init();
    if (refocus) {
      var target = document.querySelector(refocus);
      if (target) {
        if (target.tabIndex !== 0 && target.matches("td[data-date]")) setup(target.closest("[data-date-grid]"));
        target.focus();
      } else {
        var grid = document.querySelector("[data-date-grid]");
        var cell = grid && grid.querySelector('td[tabindex="0"]');
        if (cell) cell.focus();
      }
    }
    refocus = null;
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
