// The neutral page after Quick exit. It is served by this computer, so it shows even offline;
// when the neutral site can be reached, move on to it (replacing this page in the history).
(function () {
  "use strict";
  var target = document.body.getAttribute("data-neutral");
  if (!target || !navigator.onLine) { return; }
  var probe = new Image();
  probe.onload = function () { window.location.replace(target); };
  probe.src = new URL(target).origin + "/favicon.ico?" + Date.now();
}());
