/* ecourt: the evidence form's file, sent in chunks with a progress bar (progressive
 * enhancement: without this script the form posts the file in one request).
 *
 * On submit, when a file is chosen: open a resumable upload (POST /api/v1/evidence/uploads),
 * send it in chunks (PUT …/uploads/<token>, Content-Range and X-Chunk-SHA256), retry with
 * backoff when the network fails and resume from the server's `received` (GET the upload, or
 * the 409 answer), then submit the form with the upload's token in its hidden `upload` field
 * instead of the file. The token is kept in sessionStorage under the file's name, size and
 * time, so after a reload choosing the same file resumes where it stopped.
 * Texts come from the form's data-msg-* attributes, in the page's language.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-evidence-upload]");
  if (!form || !window.fetch || !window.EcourtSha256 || !window.Promise || !Blob.prototype.slice) {
    return;
  }
  var fileInput = form.querySelector("input[type=file][name=file]");
  var tokenInput = form.querySelector("input[name=upload]");
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var box = document.getElementById("upload-progress");
  if (!fileInput || !tokenInput || !csrfInput || !box) return;
  var bar = box.querySelector("progress");
  var live = box.querySelector("[data-upload-status]");
  var errorBox = document.getElementById("upload-error");
  var buttons = form.querySelectorAll("button[type=submit]");
  var base = form.getAttribute("data-upload-url");

  var DEFAULT_CHUNK = 8 * 1024 * 1024;
  var MAX_TRIES = 10; // in a row, without progress
  var busy = false;
  var lastSpoken = -1;

  function msg(name, values) {
    var text = form.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1) + " MiB";
  }

  function say(text) {
    live.textContent = text;
  }

  function showProgress(done, total) {
    var percent = total ? Math.floor((done * 100) / total) : 100;
    bar.value = percent;
    bar.textContent = percent + "%";
    // Screen readers hear every 10% (and the end), not every chunk.
    var step = Math.floor(percent / 10);
    if (step !== lastSpoken || done === total) {
      lastSpoken = step;
      say(msg("progress", { percent: percent + "%", done: megabytes(done), total: megabytes(total) }));
    }
  }

  function setBusy(on) {
    busy = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = on;
  }

  function showError(text) {
    if (errorBox) {
      errorBox.textContent = text;
      errorBox.hidden = false;
    }
    say(text);
  }

  function storageKey(file) {
    return "ecourt-upload:" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  function remember(key, token) {
    try { window.sessionStorage.setItem(key, token); } catch (e) { /* private mode: no resume */ }
  }

  function recall(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  }

  function forget(key) {
    try { window.sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // An error worth trying again: the network, or the server busy or restarting.
  function Retry(reason) { this.reason = reason; }

  function answer(response) {
    return response.text().then(function (text) {
      var body = {};
      try { body = text ? JSON.parse(text) : {}; } catch (e) { body = {}; }
      return { status: response.status, ok: response.ok, body: body };
    });
  }

  function call(method, url, body, headers) {
    var all = { "X-CSRFToken": csrfInput.value, "Accept": "application/json" };
    Object.keys(headers || {}).forEach(function (key) { all[key] = headers[key]; });
    return fetch(url, { method: method, body: body, headers: all, credentials: "same-origin" })
      .then(answer, function () { throw new Retry("network"); })
      .then(function (result) {
        if (result.status >= 500 || result.status === 408 || result.status === 429) {
          throw new Retry("server");
        }
        return result;
      });
  }

  function problem(result) {
    var error = new Error(result.body.detail || msg("failed"));
    error.status = result.status;
    return error;
  }

  function create(file) {
    return call("POST", base, JSON.stringify({ filename: file.name, size: file.size }),
      { "Content-Type": "application/json" }).then(function (result) {
      if (!result.ok) throw problem(result);
      return result.body;
    });
  }

  function state(token) {
    return call("GET", base + "/" + encodeURIComponent(token)).then(function (result) {
      return result.ok ? result.body : null;
    });
  }

  // The upload to continue: the one this file started before (if the server still has it
  // open or complete), else a new one.
  function begin(file, key) {
    var token = recall(key);
    var earlier = token ? state(token).catch(function () { return null; }) : Promise.resolve(null);
    return earlier.then(function (found) {
      if (found && (found.status === "open" || found.status === "complete")) {
        if (found.received > 0 && found.status === "open") {
          say(msg("resuming", { done: megabytes(found.received) }));
        }
        return found;
      }
      return create(file);
    });
  }

  function sendChunk(file, token, offset, chunk) {
    var end = Math.min(offset + chunk, file.size);
    return window.EcourtSha256.readSlice(file.slice(offset, end)).then(function (buffer) {
      return window.EcourtSha256.digestHex(buffer).then(function (hex) {
        return call("PUT", base + "/" + encodeURIComponent(token), buffer, {
          "Content-Type": "application/octet-stream",
          "Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + file.size,
          "X-Chunk-SHA256": hex
        });
      });
    });
  }

  function send(file, upload) {
    var token = upload.token;
    var chunk = Math.min(upload.chunk_size || DEFAULT_CHUNK, DEFAULT_CHUNK);
    var received = upload.received || 0;
    var tries = 0;
    showProgress(received, file.size);
    if (upload.status === "complete") return Promise.resolve(token);

    function step() {
      return sendChunk(file, token, received, chunk).then(function (result) {
        if (result.status === 409 && typeof result.body.received === "number") {
          received = result.body.received; // the server has more (or less): go on from there
          if (received >= file.size) return finished();
          return step();
        }
        if (!result.ok) throw problem(result);
        tries = 0;
        received = result.body.received;
        showProgress(received, file.size);
        if (result.body.status === "complete") return token;
        if (result.body.status !== "open") throw new Error(result.body.error || msg("failed"));
        return step();
      }).catch(function (error) {
        if (!(error instanceof Retry)) throw error;
        return retry();
      });
    }

    // Every byte is there: the upload is complete unless the file was refused.
    function finished() {
      return state(token).then(function (found) {
        if (found && found.status === "complete") return token;
        throw new Error((found && found.error) || msg("failed"));
      });
    }

    // Wait (1, 2, 4 … 30 s), ask the server how far it got, and go on from there.
    function retry() {
      tries += 1;
      if (tries > MAX_TRIES) return Promise.reject(new Error(msg("gave-up")));
      var seconds = Math.min(30, Math.pow(2, tries - 1));
      say(msg("retrying", { seconds: String(seconds) }));
      return sleep(seconds * 1000).then(function () {
        return state(token);
      }).then(function (found) {
        if (found) {
          received = found.received;
          showProgress(received, file.size);
          if (found.status === "complete") return token;
          if (found.status !== "open") throw new Error(found.error || msg("failed"));
        }
        return step();
      }, function (error) {
        if (error instanceof Retry) return retry();
        throw error;
      });
    }
    return step();
  }

  function upload(file) {
    var key = storageKey(file);
    return begin(file, key).then(function (started) {
      remember(key, started.token);
      return send(file, started).then(function (token) {
        forget(key); // used once, by the form about to be sent
        return token;
      }, function (error) {
        if (!(error instanceof Retry) && error.status && error.status < 500) forget(key);
        throw error;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    if (busy) {
      event.preventDefault();
      return;
    }
    var file = fileInput.files && fileInput.files[0];
    if (!file) return; // a file kept from an earlier try, or the court says to choose one
    event.preventDefault();
    setBusy(true);
    if (errorBox) errorBox.hidden = true;
    box.hidden = false;
    lastSpoken = -1;
    say(msg("starting"));
    upload(file).then(function (token) {
      tokenInput.value = token;
      fileInput.disabled = true; // the file is at the court already: send only its token
      say(msg("saving"));
      HTMLFormElement.prototype.submit.call(form);
    }, function (error) {
      setBusy(false);
      if (error && (error.status === 404 || error.status === 405)) {
        // No chunked uploads on this server: send the file with the form instead.
        box.hidden = true;
        HTMLFormElement.prototype.submit.call(form);
        return;
      }
      showError(error && error.message ? error.message : msg("failed"));
    });
  });
})();
