// unshared local app: quick exit, calm navigation, uploads, copy buttons. No third-party code.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf");
  var FETCH = { "X-Unshared-Fetch": "1" };

  // Quick exit: forget the session on the server, then a neutral page that replaces this one in
  // the history (it is served by this computer, so it shows even offline).
  function quickExit(event) {
    if (event) { event.preventDefault(); }
    document.title = "Weather";
    document.body.innerHTML = "";
    var body = new URLSearchParams();
    body.set("csrf", csrf || "");
    var gone = false;
    var leave = function () { if (!gone) { gone = true; window.location.replace("/bye"); } };
    fetch("/exit", { method: "POST", body: body, credentials: "same-origin" }).then(leave, leave);
    setTimeout(leave, 2000);  // never wait long to leave
  }
  var exitForm = document.getElementById("quick-exit-form");
  if (exitForm) { exitForm.addEventListener("submit", quickExit); }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && e.shiftKey) { quickExit(e); }
  });

  // Moving between pages replaces the current history entry: the back button and the history
  // list keep one entry for the whole app, with a neutral title.
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[href]") : null;
    if (!link || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
    var href = link.getAttribute("href");
    if (!href || href.charAt(0) !== "/" || link.hasAttribute("download") || link.target) { return; }
    e.preventDefault();
    window.location.replace(href);
  });

  // Go to a page, replacing this one in the history (a reload when only the #part differs).
  function goTo(where) {
    var target = new URL(where, window.location.href);
    if (target.pathname === window.location.pathname && target.search === window.location.search) {
      history.replaceState(null, "", target.href);
      window.location.reload();
      return;
    }
    window.location.replace(target.href);
  }
  if ("scrollRestoration" in history) { history.scrollRestoration = "manual"; }
  // Arriving at a #part (after "Mark done", say): show it below the sticky header.
  if (window.location.hash.length > 1) {
    var anchor = document.getElementById(window.location.hash.slice(1));
    if (anchor) { anchor.scrollIntoView(); }
  }

  function say(region, text) {
    if (!region) { return; }
    region.textContent = text;
  }

  // Forms: the button is disabled and "Working" is shown while the step runs; the answer is a
  // page to go to (replacing this one), and an error stays on screen in words.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.id === "quick-exit-form" || form.getAttribute("method") !== "post") { return; }
    (function () {
      e.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var status = form.querySelector("[role=status]");
      if (!status) {
        status = document.createElement("p");
        status.setAttribute("role", "status");
        status.className = "working";
        form.appendChild(status);
      }
      form.setAttribute("data-busy", "1");
      if (button) { button.disabled = true; }
      say(status, "Working… this can take a few seconds. Please keep this window open.");
      var data = new URLSearchParams(new FormData(form));
      fetch(form.getAttribute("action"), {
        method: "POST", body: data, headers: FETCH, credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; },
          function () { return { ok: false, body: {} }; });
      }).then(function (result) {
        if (result.body.go) { goTo(result.body.go); return; }
        form.removeAttribute("data-busy");
        if (button) { button.disabled = false; }
        say(status, result.body.detail || result.body.error ||
          "That did not work. Nothing saved was lost. Please try again.");
        status.classList.add("error");
      }, function () {
        form.removeAttribute("data-busy");
        if (button) { button.disabled = false; }
        say(status, "The app did not answer. Is its window still open? Start it again if not.");
        status.classList.add("error");
      });
    }());
  });

  // The session stays open while a page of the app is open.
  if (csrf) {
    setInterval(function () {
      fetch("/api/alive", { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" })
        .catch(function () { return null; });
    }, 30000);
  }

  // What a file is, from its first bytes and (for a zip) the names it holds.
  var MEDIA_NAME = /\.(jpe?g|png|gif|webp|heic|heif|bmp|tiff?|mp4|mov|m4v|3gp|webm|avi|mkv)$/i;
  function startsWith(bytes, list) {
    for (var i = 0; i < list.length; i++) { if (bytes[i] !== list[i]) { return false; } }
    return true;
  }
  function looksLikeMedia(bytes) {
    return startsWith(bytes, [0xff, 0xd8, 0xff]) || startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]) ||
      startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) ||
      (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && bytes[8] === 0x57) ||
      (bytes[4] === 0x66 && bytes[5] === 0x74 && bytes[6] === 0x79 && bytes[7] === 0x70);
  }
  function read(blob) {
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () { resolve(new Uint8Array(reader.result)); };
      reader.onerror = function () { resolve(new Uint8Array(0)); };
      reader.readAsArrayBuffer(blob);
    });
  }
  function zipNames(file) {
    // The zip's central directory lists every member; read it from the end of the file.
    var tail = Math.min(file.size, 65557);
    return read(file.slice(file.size - tail)).then(function (end) {
      for (var i = end.length - 22; i >= 0; i--) {
        if (end[i] === 0x50 && end[i + 1] === 0x4b && end[i + 2] === 0x05 && end[i + 3] === 0x06) {
          var view = new DataView(end.buffer, i);
          var size = view.getUint32(12, true);
          var offset = view.getUint32(16, true);
          return read(file.slice(offset, offset + size)).then(function (dir) {
            var names = [];
            var d = new DataView(dir.buffer);
            var p = 0;
            while (p + 46 <= dir.length && d.getUint32(p, true) === 0x02014b50) {
              var n = d.getUint16(p + 28, true), x = d.getUint16(p + 30, true), c = d.getUint16(p + 32, true);
              names.push(new TextDecoder().decode(dir.subarray(p + 46, p + 46 + n)));
              p += 46 + n + x + c;
            }
            return names;
          });
        }
      }
      return [];
    });
  }
  function inspect(file) {
    return read(file.slice(0, 16)).then(function (head) {
      if (looksLikeMedia(head)) { return { media: true, inside: [] }; }
      if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
        return zipNames(file).then(function (names) {
          return { media: false, inside: names.filter(function (n) { return MEDIA_NAME.test(n); }) };
        });
      }
      return { media: false, inside: [] };
    });
  }

  // Ask before an export holding pictures or videos goes into the case.
  function confirmMedia(file, inside) {
    return new Promise(function (resolve) {
      var dialog = document.getElementById("media-dialog");
      document.getElementById("media-file").textContent = file.name;
      var list = document.getElementById("media-list");
      list.innerHTML = "";
      inside.slice(0, 20).forEach(function (name) {
        var li = document.createElement("li"); li.textContent = name; list.appendChild(li);
      });
      if (inside.length > 20) {
        var more = document.createElement("li"); more.textContent = "and " + (inside.length - 20) + " more";
        list.appendChild(more);
      }
      var yes = document.getElementById("media-yes"), no = document.getElementById("media-no");
      function done(answer) {
        yes.onclick = null; no.onclick = null; dialog.close(); resolve(answer);
      }
      yes.onclick = function () { done(true); };
      no.onclick = function () { done(false); };
      dialog.addEventListener("cancel", function () { resolve(false); }, { once: true });
      dialog.showModal();
      yes.focus();
    });
  }

  function put(url, file, bar) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      bar.hidden = false; bar.value = 0;
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (!body.said) {
          body.said = file.name + ": " + (body.detail || body.error ||
            (xhr.status >= 400 ? "this did not work. Nothing saved was lost." : "done."));
        }
        body.failed = xhr.status >= 400;
        resolve(body);
      };
      xhr.onerror = function () {
        resolve({ said: file.name + ": could not be sent. Is the app's window still open?", failed: true });
      };
      xhr.send(file);
    });
  }

  function wireDrop(id, buttonId, check, afterAll) {
    var drop = document.getElementById(id);
    if (!drop) { return; }
    var input = drop.querySelector("input[type=file]");
    var button = document.getElementById(buttonId);
    var status = drop.querySelector("[role=status]");
    var bar = drop.querySelector("progress");
    var url = drop.getAttribute("data-upload");
    function send(files) {
      status.removeAttribute("data-done");
      if (!files || !files.length) {
        say(status, "Choose at least one file first.");
        status.setAttribute("data-done", "1");
        return;
      }
      var list = Array.prototype.slice.call(files);
      var said = [];
      button.disabled = true;
      var chain = Promise.resolve();
      list.forEach(function (file, index) {
        chain = chain.then(function () {
          say(status, "Working on " + file.name + " (" + (index + 1) + " of " + list.length + ")…");
          return check(file).then(function (go) {
            if (go.skip) { said.push(go.skip); return null; }
            var target = url + "?name=" + encodeURIComponent(file.name) + (go.media ? "&media=1" : "");
            return put(target, file, bar).then(function (body) { said.push(body.said); });
          });
        });
      });
      chain.then(function () { return afterAll(); }).then(function () {
        button.disabled = false;
        bar.hidden = true;
        say(status, said.join(" "));
        status.setAttribute("data-done", "1");
      });
    }
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault(); drop.classList.remove("over"); send(e.dataTransfer.files);
    });
    button.addEventListener("click", function () { send(input.files); });
  }

  // Refresh parts of this page from the server without leaving it (the live region keeps what
  // it announced).
  function refresh(ids) {
    return fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ids.forEach(function (id) {
          var old = document.getElementById(id), now = fresh.getElementById(id);
          if (old && now) { old.replaceWith(document.importNode(now, true)); }
        });
      }, function () { return null; });
  }

  wireDrop("drop", "upload-button", function (file) {
    return inspect(file).then(function (what) {
      if (what.media) {
        return { skip: file.name + " was not added: it looks like a photo or a video, not a chat. " +
          "Pictures are not needed as evidence here, and you do not need to keep them. " +
          "To protect a picture, use step 4: it makes a fingerprint and keeps nothing else." };
      }
      if (what.inside.length) {
        return confirmMedia(file, what.inside).then(function (yes) {
          return yes ? { media: true } : { skip: file.name + " was not added." };
        });
      }
      return {};
    });
  }, function () { return refresh(["kept", "who"]); });
  wireDrop("protect-drop", "protect-button", function () { return Promise.resolve({}); },
    function () { return refresh(["made"]); });

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

  // Downloads: say where the file went.
  Array.prototype.forEach.call(document.querySelectorAll("a[download]"), function (link) {
    link.addEventListener("click", function () {
      say(document.getElementById("download-status"),
        "Saved to your browser's Downloads folder. Delete it there when you no longer need it.");
    });
  });
}());
