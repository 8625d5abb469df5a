// Copy buttons: <button type="button" data-copy="ID" hidden> copies the value (or text) of element
// ID. The button is shown only when the script runs; without it the field stays selectable. Where
// the Clipboard API is refused (plain http, an old browser), the text is selected and copied with
// execCommand, or left selected for the person to copy. The result is said in a live region, in
// the page's language: base.html writes the words on <body> (data-msg-copied, data-msg-copy-select).
(function () {
  var words = document.body.dataset;
  var COPIED = words.msgCopied || "Copied.";
  var SELECTED = words.msgCopySelect || "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
  function say(button, message) {
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    if (status) status.textContent = message;
  }
  function fallback(button, field) {
    field.focus();
    if (field.select) field.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    say(button, done ? COPIED : SELECTED);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "value" in field ? field.value : field.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { say(button, COPIED); },
          function () { fallback(button, field); }
        );
      } else {
        fallback(button, field);
      }
    });
  });
})();
