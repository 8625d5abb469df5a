// Disclosure buttons (the site menu, the directory's filters on a phone):
// <button data-disclosure aria-expanded="false" aria-controls="panel-id"> shows or hides the panel
// (the class is-open; site.css hides a closed panel only on narrow screens). Escape closes an open
// panel when the focus is in it or on its button, and gives the focus back to the button.
// Without JavaScript, css/nojs.css hides the buttons and shows the panels.
(function () {
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-disclosure]"));
  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var panel = panelOf(button);
    if (panel) panel.classList.toggle("is-open", open);
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    buttons.forEach(function (button) {
      if (button.getAttribute("aria-expanded") !== "true") return;
      var panel = panelOf(button);
      var focus = document.activeElement;
      if (focus !== button && !(panel && panel.contains(focus))) return;
      setOpen(button, false);
      button.focus();
    });
  });
})();
