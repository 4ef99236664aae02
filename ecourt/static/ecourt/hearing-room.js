/* ecourt: the hearing room, live (progressive enhancement: without this script the page
 * works with plain form posts and reloads).
 *
 * - Every 2 s: GET record.json?since=<version>&stamp=<stamp>; 204 when nothing changed,
 *   else the record's text, version, closed state and the evidence shown, which replace what
 *   the page shows. When the hearing's status changes the page reloads (unless the clerk has
 *   unsaved text, then it says so).
 * - The clerk's textarea autosaves 1.5 s after the last keystroke (and on leaving the field):
 *   POST record/save with base_version, asking for JSON. A 409 means another tab or person
 *   saved in between: the text is kept in the textarea and a message says what to do.
 * Texts come from the container's data-msg-* attributes, in the page's language.
 */
(function () {
  "use strict";

  var room = document.querySelector("[data-room]");
  if (!room || !window.fetch || !window.Promise) return;

  var pollUrl = room.getAttribute("data-poll-url");
  var stamp = room.getAttribute("data-stamp") || "";
  var version = parseInt(room.getAttribute("data-version") || "0", 10);
  var status = room.getAttribute("data-status") || "";
  var statusLine = room.querySelector("[data-record-status]");
  var textView = room.querySelector("[data-record-text]");
  var versionLine = room.querySelector("[data-record-version]");
  var evidenceList = room.querySelector("[data-evidence-list]");
  var evidenceNone = room.querySelector("[data-evidence-none]");
  var form = room.querySelector("form[data-record-form]");
  var textarea = form ? form.querySelector("textarea[name=text]") : null;
  var baseInput = form ? form.querySelector("input[name=base_version]") : null;
  var csrfInput = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;

  var POLL_MS = 2000;
  var SAVE_DELAY_MS = 1500;
  var dirty = false; // the textarea holds text not saved yet
  var saving = false;
  var conflict = false; // a save was refused: stop autosaving until the page is reloaded
  var saveTimer = null;

  function msg(name, values) {
    var text = room.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function say(text) {
    if (statusLine) statusLine.textContent = text;
  }

  function showVersion(state) {
    if (!versionLine) return;
    var label = versionLine.textContent.replace(/\d+/, String(state.version));
    versionLine.textContent = label;
  }

  function showEvidence(items) {
    if (!evidenceList) return;
    while (evidenceList.firstChild) evidenceList.removeChild(evidenceList.firstChild);
    items.forEach(function (entry) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = entry.url;
      a.textContent = entry.label;
      li.appendChild(a);
      var when = new Date(entry.shown_at);
      if (!isNaN(when.getTime())) {
        var time = document.createElement("time");
        time.setAttribute("datetime", entry.shown_at);
        time.textContent = " · " + ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
        li.appendChild(time);
      }
      evidenceList.appendChild(li);
    });
    if (evidenceNone) evidenceNone.hidden = items.length > 0;
  }

  function apply(state) {
    stamp = state.stamp;
    if (state.status !== status) {
      if (dirty) {
        say(msg("reload"));
      } else {
        window.location.reload();
      }
      return;
    }
    if (textView && textView.textContent !== state.text) {
      textView.textContent = state.text;
    }
    if (textarea && !dirty && !saving && state.version !== version && textarea.value !== state.text) {
      // Saved elsewhere (the judge, another tab) while this one was idle: show it.
      textarea.value = state.text;
    }
    if (!dirty && !saving) {
      version = state.version;
      if (baseInput) baseInput.value = String(version);
    }
    showVersion(state);
    showEvidence(state.evidence_shown || []);
    if (state.closed && textarea) {
      textarea.readOnly = true;
    }
  }

  function poll() {
    var url = pollUrl + "?since=" + encodeURIComponent(version) + "&stamp=" + encodeURIComponent(stamp);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 204) return null;
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        if (state) apply(state);
        if (statusLine && statusLine.textContent === msg("offline")) say("");
      })
      .catch(function () {
        say(msg("offline"));
      })
      .then(function () {
        window.setTimeout(poll, POLL_MS);
      });
  }

  function save() {
    saveTimer = null;
    if (!dirty || saving || conflict) return;
    saving = true;
    dirty = false;
    say(msg("saving"));
    var body = new FormData();
    body.append("text", textarea.value);
    body.append("base_version", String(version));
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfInput.value, Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (answer) {
        saving = false;
        if (answer.status === 200) {
          version = answer.data.version;
          if (baseInput) baseInput.value = String(version);
          say(msg("saved", { version: version }));
        } else if (answer.status === 409 || answer.data.code === "version_conflict") {
          conflict = true;
          dirty = true;
          say(msg("conflict"));
        } else {
          dirty = true;
          say(answer.data.detail || msg("failed"));
        }
      })
      .catch(function () {
        saving = false;
        dirty = true;
        say(msg("failed"));
        schedule();
      });
  }

  function schedule() {
    if (saveTimer) window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(save, SAVE_DELAY_MS);
  }

  if (textarea && form && csrfInput) {
    textarea.addEventListener("input", function () {
      dirty = true;
      if (!conflict) schedule();
    });
    textarea.addEventListener("blur", function () {
      if (dirty && !conflict) save();
    });
  }

  window.setTimeout(poll, POLL_MS);
})();
