// Disclosure buttons (the site menu, the directory's filters on a phone):
// <button data-disclosure aria-expanded="false" aria-controls="panel-id"> shows or hides the panel
// (the class is-open; site.css hides a closed panel only on narrow screens). Escape closes an open
// panel when the focus is in it or on its button, and gives the focus back to the button.
// A button with data-close-outside (the site menu) also closes on a click or tap outside it and
// its panel, and on Escape wherever the focus is (the focus then goes back to the button).
// Without JavaScript, css/nojs.css hides the buttons and shows the panels.
(function () {
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-disclosure]"));
  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }
  function isOpen(button) {
    return button.getAttribute("aria-expanded") === "true";
  }
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var panel = panelOf(button);
    if (panel) panel.classList.toggle("is-open", open);
  }
  function within(button, node) {
    var panel = panelOf(button);
    return button.contains(node) || Boolean(panel && panel.contains(node));
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      setOpen(button, !isOpen(button));
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    buttons.forEach(function (button) {
      if (!isOpen(button)) return;
      if (!button.hasAttribute("data-close-outside") && !within(button, document.activeElement)) return;
      setOpen(button, false);
      button.focus();
    });
  });
  document.addEventListener("click", function (event) {
    buttons.forEach(function (button) {
      if (!isOpen(button) || !button.hasAttribute("data-close-outside")) return;
      if (within(button, event.target)) return;
      setOpen(button, false);
    });
  });
})();
