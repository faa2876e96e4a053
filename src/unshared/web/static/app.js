// unshared local app: quick exit, drag-and-drop upload, copy buttons. No third-party code.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf");

  // Quick exit: leave for a neutral site at once, replacing this page in the history.
  function quickExit(event) {
    if (event) { event.preventDefault(); }
    document.body.innerHTML = "";
    window.location.replace("/exit");
  }
  var exit = document.getElementById("quick-exit");
  if (exit) { exit.addEventListener("click", quickExit); }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && e.shiftKey) { quickExit(e); }
  });

  // Upload: each file is streamed as the request body (no temporary copies on the server).
  function upload(url, files, status, bar, done) {
    var list = Array.prototype.slice.call(files);
    var index = 0;
    var results = [];
    function next() {
      if (index >= list.length) { done(results); return; }
      var file = list[index++];
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", url + "?name=" + encodeURIComponent(file.name));
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      bar.hidden = false;
      bar.value = 0;
      status.textContent = "Working on " + file.name + " (" + index + " of " + list.length + ")…";
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status >= 400) { body = { name: file.name, error: body.detail || "failed" }; }
        results.push(body);
        next();
      };
      xhr.onerror = function () { results.push({ name: file.name, error: "could not be sent" }); next(); };
      xhr.send(file);
    }
    next();
  }

  function wireDrop(id, buttonId, afterUpload) {
    var drop = document.getElementById(id);
    if (!drop) { return; }
    var input = drop.querySelector("input[type=file]");
    var button = document.getElementById(buttonId);
    var status = drop.querySelector("[role=status]");
    var bar = drop.querySelector("progress");
    var url = drop.getAttribute("data-upload");
    function send(files) {
      if (!files || !files.length) { status.textContent = "Choose at least one file first."; return; }
      upload(url, files, status, bar, afterUpload(status));
    }
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault(); drop.classList.remove("over"); send(e.dataTransfer.files);
    });
    button.addEventListener("click", function () { send(input.files); });
  }

  wireDrop("drop", "upload-button", function (status) {
    return function () { status.textContent = "Done."; window.location.reload(); };
  });
  wireDrop("protect-drop", "protect-button", function (status) {
    return function (results) {
      var ok = results.filter(function (r) { return !r.error; }).length;
      status.textContent = ok + " fingerprint(s) made. The images were not copied or sent anywhere.";
      window.location.reload();
    };
  });

  // Copy buttons for the platform reports.
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy"));
      target.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard) { navigator.clipboard.writeText(target.value).then(done, done); }
      else { document.execCommand("copy"); done(); }
    });
  });
}());
