// Pre-fill time-zone fields from the browser and remember it for anonymous visitors: the server
// (accounts/middleware.py) shows their times in the zone of the `tz` cookie from the next page on.
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  var value = encodeURIComponent(zone);
  var current = document.cookie.split("; ").filter(function (c) { return c.indexOf("tz=") === 0; })[0];
  var chosen = document.cookie.split("; ").indexOf("tz_chosen=1") !== -1;  // picked on the page
  if (!chosen && current !== "tz=" + value) {  // unset, or a zone from before the browser moved
    document.cookie = "tz=" + value + "; path=/; max-age=31536000; SameSite=Lax";
  }
  document.querySelectorAll("select[data-browser-timezone]").forEach(function (select) {
    if (select.dataset.userChosen) return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; break; }
    }
  });
})();
