// Inside the booking widget's frame (templates/embed/base.html). Two jobs, no cookie, no storage:
// 1. Offering links carry the browser's time zone in their address (the frame has no session to
//    keep it in): /embed/<mentor>/<offering>/<zone>/.
// 2. Tell the page around the frame how tall the content is, so embed/widget.js sizes the frame:
//    a message {type: "thementors:height", height: <px>} to the parent's origin.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }

  function zoneLinks(root) {
    if (!zone) return;
    root.querySelectorAll("a[data-zone-base]").forEach(function (link) {
      link.href = link.getAttribute("data-zone-base") + encodeURI(zone) + "/";
    });
  }

  function parentOrigin() {
    var ancestors = window.location.ancestorOrigins;
    if (ancestors && ancestors.length) return ancestors[0];
    try {
      var referrer = document.referrer && new URL(document.referrer).origin;
      if (referrer && referrer !== window.location.origin) return referrer;
    } catch (e) { /* no usable referrer */ }
    return "*";  // a height is all that is sent
  }

  var last = 0;
  function postHeight() {
    if (window.parent === window) return;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (!height || height === last) return;
    last = height;
    window.parent.postMessage({ type: "thementors:height", height: height }, parentOrigin());
  }

  document.addEventListener("DOMContentLoaded", function () {
    zoneLinks(document);
    postHeight();
    if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.documentElement);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    zoneLinks(event.target);
    postHeight();
  });
  window.addEventListener("load", postHeight);
})();
