// TheMentors booking widget, on the mentor's own site: <iframe data-thementors-widget src=...>
// beside <script src=".../embed/widget.js" async>. It sizes each widget frame to its content.
// Only messages from TheMentors' origin (where this script came from) and from one of the widget
// frames are read, and only a height number is taken from them.
(function () {
  "use strict";
  if (window.__theMentorsWidget) return;
  window.__theMentorsWidget = true;
  var script = document.currentScript;
  var origin = script ? new URL(script.src, window.location.href).origin : window.location.origin;
  var MIN = 200, MAX = 4000;

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll("iframe[data-thementors-widget]"));
  }

  function style(frame) {
    frame.style.border = "0";
    frame.style.width = "100%";
    frame.style.display = "block";
  }

  frames().forEach(style);
  new MutationObserver(function () { frames().forEach(style); })
    .observe(document.documentElement, { childList: true, subtree: true });

  window.addEventListener("message", function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (!data || data.type !== "thementors:height" || typeof data.height !== "number") return;
    var frame = frames().filter(function (f) { return f.contentWindow === event.source; })[0];
    if (!frame || !isFinite(data.height)) return;
    frame.style.height = Math.min(MAX, Math.max(MIN, Math.round(data.height))) + "px";
  });
})();
