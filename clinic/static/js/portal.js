/* Groundwork client portal: character counters, autosave and "nothing lost".
 *
 * Progressive enhancement only: without this script every form still works
 * (Back, Next, Save, Add another and Remove are ordinary buttons). With it,
 * answers save after a short pause and when a field loses focus; unsaved input
 * is kept in localStorage (per assignment and part, with the version it was
 * typed on) until the server has it; failed saves are retried, offline input
 * is saved when the connection comes back, and a page being left sends what
 * is pending with `keepalive`. The status says "Saved" only when the server
 * has confirmed everything on the page.
 */
(function () {
  "use strict";

  var PAUSE_MS = 1500;
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 30000;
  var DRAFT_PREFIX = "groundwork:draft:";
  var CONTROL_NAMES = ["csrf_token", "version", "action", "part"];
  var KEEPALIVE_LIMIT = 60000;  // browsers refuse keepalive bodies over 64 KiB
  var OFFLINE = "You\u2019re offline. What you type is kept on this device and saved when you\u2019re back.";

  /* ---- small helpers ------------------------------------------------------------ */

  function announcer() {
    var region = document.querySelector("[data-announcer]");
    if (!region) {
      region = document.createElement("p");
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      region.setAttribute("data-announcer", "");
      document.body.appendChild(region);
    }
    return region;
  }

  function announce(text) {
    var region = announcer();
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function number(n) { return n.toLocaleString("en"); }

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  // Which tab this is; it survives a reload of the tab but a new tab gets its own.
  function tabId() {
    try {
      var id = window.sessionStorage.getItem("groundwork:tab");
      if (!id) {
        id = Date.now().toString(36) + Math.random().toString(36).slice(2);
        window.sessionStorage.setItem("groundwork:tab", id);
      }
      return id;
    } catch (error) { return ""; }
  }

  // Drafts are stored as "groundwork:draft:<assignment>:<part>"; `prefix` "<assignment>:" forgets every part.
  function removeDrafts(prefix) {
    var store = storage();
    if (!store) { return; }
    try {
      Object.keys(store).forEach(function (key) {
        if (key.indexOf(DRAFT_PREFIX + prefix) === 0) { store.removeItem(key); }
      });
    } catch (error) { /* nothing to keep */ }
  }

  /* ---- character counters ------------------------------------------------------- */

  // Counted as the server counts: code points, surrounding spaces ignored.
  function charactersIn(text) { return Array.from(text.trim()).length; }

  function updateCounter(field) {
    var counter = document.getElementById(field.id + "-count");
    if (!counter) { return; }
    if (!counter.hasAttribute("data-initial")) { counter.setAttribute("data-initial", counter.textContent); }
    var limit = parseInt(field.getAttribute("data-max-length"), 10);
    var left = limit - charactersIn(field.value);
    var near = Math.max(20, Math.ceil(limit * 0.15));
    var state = left < 0 ? "over" : (left <= near ? "near" : "normal");
    if (state === "over") {
      counter.textContent = number(-left) + " character" + (left === -1 ? "" : "s") + " over the limit of " +
        number(limit) + ". Please shorten this answer: it cannot be saved until it fits.";
    } else if (state === "near") {
      counter.textContent = number(left) + " character" + (left === 1 ? "" : "s") + " left.";
    } else {
      counter.textContent = counter.getAttribute("data-initial");
    }
    counter.classList.toggle("field__count--near", state === "near");
    counter.classList.toggle("field__count--over", state === "over");
    if (state === "over") { field.setAttribute("aria-invalid", "true"); }
    else if (field.getAttribute("data-over") === "true") { field.removeAttribute("aria-invalid"); }
    if (field.getAttribute("data-count-state") !== state && state !== "normal") { announce(counter.textContent); }
    field.setAttribute("data-over", state === "over" ? "true" : "false");
    field.setAttribute("data-count-state", state);
  }

  function setUpCounters(root) {
    root.querySelectorAll("[data-max-length]").forEach(function (field) {
      updateCounter(field);
      field.addEventListener("input", function () { updateCounter(field); });
    });
  }

  /* ---- repeating groups ("Add another goal") ------------------------------------ */

  function renumber(element, group, from, to) {
    var oldPrefix = group + "-" + from;
    var newPrefix = group + "-" + to;
    ["id", "name", "for", "aria-describedby"].forEach(function (attribute) {
      element.querySelectorAll("[" + attribute + "]").forEach(function (node) {
        var value = node.getAttribute(attribute).split(" ").map(function (token) {
          if (token === oldPrefix) { return newPrefix; }
          return token.indexOf(oldPrefix + "-") === 0 ? newPrefix + token.slice(oldPrefix.length) : token;
        });
        node.setAttribute(attribute, value.join(" "));
      });
    });
    element.id = newPrefix;
  }

  function emptyRow(row) {
    row.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") { field.checked = false; }
      else { field.value = ""; }
      field.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".field-errors").forEach(function (list) { list.remove(); });
    row.querySelectorAll(".field--error").forEach(function (node) { node.classList.remove("field--error"); });
    row.querySelectorAll("[data-initial]").forEach(function (counter) {
      counter.textContent = counter.getAttribute("data-initial");
      counter.classList.remove("field__count--near", "field__count--over");
    });
  }

  function groupRows(fieldset) {
    return Array.prototype.slice.call(fieldset.querySelectorAll("[data-group-row]"));
  }

  function addRow(form, group) {
    var fieldset = form.querySelector('[data-group="' + group + '"]');
    var rows = groupRows(fieldset);
    var limit = parseInt(fieldset.getAttribute("data-max-rows"), 10);
    if (!rows.length || rows.length >= limit) { return null; }
    var last = rows[rows.length - 1];
    var from = parseInt(last.id.slice(group.length + 1), 10);
    var row = last.cloneNode(true);
    renumber(row, group, from, rows.length);
    emptyRow(row);
    var legend = row.querySelector("legend");
    legend.textContent = legend.textContent.replace(/\d+\s*$/, String(rows.length + 1));
    var remover = row.querySelector("[data-remove-row]");
    if (remover) {
      remover.value = "remove-row:" + group + "-" + rows.length;
      remover.textContent = remover.textContent.replace(/\d+\s*$/, String(rows.length + 1));
    }
    last.parentNode.insertBefore(row, last.nextSibling);
    fieldset.querySelectorAll(".group-remove").forEach(function (holder) { holder.hidden = false; });
    row.querySelectorAll("[data-max-length]").forEach(function (field) {
      field.addEventListener("input", function () { updateCounter(field); });
    });
    if (rows.length + 1 >= limit) {
      var adder = fieldset.querySelector("[data-add-row]");
      if (adder) { adder.closest(".group-add").hidden = true; }
    }
    return row;
  }

  /* ---- autosave ------------------------------------------------------------------ */

  function Autosaver(form) {
    this.form = form;
    this.assignment = form.getAttribute("data-assignment");
    this.url = form.getAttribute("data-save-url");
    this.version = form.querySelector("[data-version]");
    this.status = form.querySelector("[data-save-status]");
    var part = form.querySelector("input[name=part]");
    this.key = DRAFT_PREFIX + this.assignment + ":" + (part ? part.value : "all");
    this.tab = tabId();
    this.timer = null;
    this.inflight = null;
    this.again = false;
    this.failing = false;
    this.retryDelay = RETRY_FIRST_MS;
    this.blocked = form.hasAttribute("data-conflict") ? "conflict" : null;
    this.submitting = false;
    this.pressedOffline = null;  // what the status says after Back, Next or Remove is pressed offline
    this.touched = {};
    this.settled = this.status.textContent.trim();  // what the status says while nothing is pending
    this.lastSaved = form.hasAttribute("data-unsaved") ? null : this.serialize();
    this.bind();
    this.recover();
    if (!navigator.onLine) { this.offline(); }
  }

  Autosaver.prototype.serialize = function () {
    var pairs = [];
    new FormData(this.form).forEach(function (value, name) {
      if (CONTROL_NAMES.indexOf(name) === -1) { pairs.push([name, String(value)]); }
    });
    return pairs;
  };

  // Compared as the server stores text (clinic/worksheets/posted.py): trimmed, one kind of line break,
  // at most one blank line in a row; so a page the server has saved matches what was typed on it.
  function stored(value) {
    return value.replace(/\r\n?/g, "\n").replace(/\n(?:[ \t]*\n){2,}/g, "\n\n").trim();
  }

  function sameAnswers(a, b) {
    if (!a || !b) { return false; }
    var key = function (pairs) {
      return JSON.stringify(pairs.map(function (p) { return p[0] + "\u0000" + stored(p[1]); }).sort());
    };
    return key(a) === key(b);
  }

  Autosaver.prototype.dirty = function () { return !sameAnswers(this.serialize(), this.lastSaved); };

  Autosaver.prototype.say = function (state, text) {
    this.status.classList.remove("save-status--ok", "save-status--saving", "save-status--problem",
      "save-status--offline");
    this.status.classList.add("save-status--" + state);
    if (this.status.textContent !== text) { this.status.textContent = text; }
  };

  Autosaver.prototype.keepDraft = function () {
    var store = storage();
    if (!store) { return; }
    try {
      store.setItem(this.key, JSON.stringify({
        version: parseInt(this.version.value, 10), answers: this.serialize(), at: new Date().toISOString(),
        tab: this.tab
      }));
    } catch (error) { /* storage full or refused: the page itself still holds the input */ }
  };

  Autosaver.prototype.dropDraft = function () {
    var store = storage();
    if (store) { try { store.removeItem(this.key); } catch (error) { /* nothing to keep */ } }
  };

  Autosaver.prototype.storedDraft = function () {
    var store = storage();
    try { return store ? JSON.parse(store.getItem(this.key) || "null") : null; } catch (error) { return null; }
  };

  Autosaver.prototype.bind = function () {
    var self = this;
    var form = this.form;
    var changed = function (event) {
      if (event.target.name) { self.touched[event.target.name] = true; }
      self.keepDraft();
      if (self.blocked) { return; }
      if (!navigator.onLine) { self.offline(); return; }
      if (self.dirty() && !self.failing) { self.say("saving", "Saving\u2026"); }
      self.schedule(PAUSE_MS);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("focusout", function () { if (self.dirty()) { self.schedule(0); } });
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit") {
        event.preventDefault();  // Enter saves; it must not press "Add another", "Remove" or "Next"
        self.save(true);
      }
    });
    form.addEventListener("submit", function (event) { self.onSubmit(event); });
    window.addEventListener("online", function () {
      self.pressedOffline = null;
      if (self.blocked) { return; }
      if (self.dirty()) { self.save(true); return; }
      self.failing = false;
      self.say("ok", self.settled);
    });
    window.addEventListener("offline", function () { self.offline(); });
    // Leaving the page (closing the tab, switching app, reloading): send what is pending so it survives.
    window.addEventListener("pagehide", function () { self.flush(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { self.flush(); }
    });
    window.addEventListener("beforeunload", function (event) {
      // Asked only when what is typed cannot reach the server now; otherwise `flush` sends it.
      if (!self.submitting && self.dirty() && (self.failing || !navigator.onLine || self.blocked)) {
        self.keepDraft();
        event.preventDefault();
        event.returnValue = "";
      }
    });
  };

  Autosaver.prototype.onSubmit = function (event) {
    var self = this;
    var submitter = event.submitter;
    var action = submitter ? submitter.value : "save";
    if (action.indexOf("add-row:") === 0) {
      event.preventDefault();
      var row = addRow(this.form, action.slice("add-row:".length));
      if (row) {
        var legend = row.querySelector("legend");
        announce(legend.textContent + " added.");
        var first = row.querySelector("input, textarea");
        if (first) { first.focus(); }
        this.keepDraft();
      }
      return;
    }
    if (action === "save") {
      event.preventDefault();
      this.save(true);
      return;
    }
    if (!navigator.onLine) {  // Back, Next, Remove need the server: stay here with every word kept, and say so
      event.preventDefault();
      this.pressedOffline = stayingOffline(action);  // kept by the save that leaving the field sets off
      this.offline();
      return;
    }
    // The other buttons go to the server as a normal form; first let a running save finish
    // so that the page sends the version the server now has.
    if (this.inflight) {
      event.preventDefault();
      this.inflight.then(function () { self.form.requestSubmit(submitter); });
      return;
    }
    window.clearTimeout(this.timer);
    this.keepDraft();
    this.submitting = true;
  };

  // What a button pressed offline says: the page stays, the words are kept, and which button to press again.
  function stayingOffline(action) {
    var button = action === "back" ? "Back" : action === "next" ? "Next" : "Remove";
    return "You\u2019re offline, so this page can\u2019t move on yet. What you typed is kept; press " + button +
      " again when you\u2019re back.";
  }

  Autosaver.prototype.schedule = function (delay) {
    var self = this;
    if (this.blocked) { return; }
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.save(false); }, delay);
  };

  Autosaver.prototype.offline = function () {
    this.keepDraft();
    this.failing = true;
    this.say("offline", this.pressedOffline || OFFLINE);
  };

  Autosaver.prototype.save = function (explicit) {
    var self = this;
    window.clearTimeout(this.timer);
    if (this.inflight) { this.again = true; return this.inflight; }
    if (this.blocked && !explicit) { return Promise.resolve(); }
    var answers = this.serialize();
    if (!explicit && sameAnswers(answers, this.lastSaved)) { return Promise.resolve(); }
    if (!navigator.onLine) { this.offline(); return Promise.resolve(); }
    if (!this.failing || explicit) { this.say("saving", "Saving\u2026"); }
    var body = new FormData(this.form);
    this.inflight = fetch(this.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      // A save already under way when the page is left still reaches the server.
      keepalive: JSON.stringify(answers).length < KEEPALIVE_LIMIT
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? response.json() : Promise.resolve({})).then(function (data) {
        self.handle(response.status, data, answers);
      });
    }, function () {
      if (!navigator.onLine) { self.offline(); }
      else { self.retry("We cannot reach the server right now."); }
    }).then(function () {
      self.inflight = null;
      if (self.again) { self.again = false; self.schedule(0); }
    });
    return this.inflight;
  };

  // The page is being left: what the server has not confirmed goes now, in a request that outlives the page.
  Autosaver.prototype.flush = function () {
    if (this.submitting || this.blocked || !this.dirty()) { return; }
    this.keepDraft();
    if (this.inflight || !navigator.onLine) { return; }  // the running save is keepalive; the draft is kept
    var answers = this.serialize();
    if (JSON.stringify(answers).length >= KEEPALIVE_LIMIT) { return; }
    window.clearTimeout(this.timer);
    var self = this;
    this.inflight = fetch(this.url, {
      method: "POST", body: new FormData(this.form), credentials: "same-origin",
      headers: { "Accept": "application/json" }, keepalive: true
    }).then(function (response) {
      return response.json().then(function (data) { self.handle(response.status, data, answers); });
    }, function () { /* the page is gone or offline: the draft on this device is put back next time */ })
      .then(function () { self.inflight = null; });
  };

  Autosaver.prototype.handle = function (code, data, answers) {
    if (code === 200 && data.status === "saved" && typeof data.version === "number") {
      return this.saved(data, answers);
    }
    var message = data.message || "";
    if (data.status === "stale") { return this.conflict(data); }
    if (data.status === "closed") {
      this.blocked = "closed";
      removeDrafts(this.assignment + ":");
      this.notice("Not saved: already sent", message + " What you typed is still on this page, so you can copy it.");
      return this.say("problem", "Not saved \u2014 this worksheet has already been sent to your therapist.");
    }
    if (data.status === "signed_out" || data.status === "expired") {
      this.blocked = "signed_out";
      this.keepDraft();
      return this.say("problem", "Not saved \u2014 " + message);
    }
    if (data.status === "invalid") {
      this.showErrors(data.errors || []);
      return this.say("problem", "Not saved \u2014 please check the answer marked below. What you typed is kept.");
    }
    if (data.status === "too_large" || data.status === "forged") {
      return this.say("problem", message);
    }
    this.retry("Something went wrong on our side.");
  };

  // "Saved" only when the server confirmed a new version of exactly what is on the page now;
  // anything typed while the save was on its way is saved next, and the status keeps saying so.
  Autosaver.prototype.saved = function (data, answers) {
    this.version.value = data.version;
    this.lastSaved = answers;
    this.retryDelay = RETRY_FIRST_MS;
    this.failing = false;
    this.blocked = null;
    this.clearErrors();
    this.progress(data);
    if (sameAnswers(this.serialize(), answers)) {
      this.dropDraft();
      this.settled = data.saved_text + ".";
      this.say("ok", this.settled);
    } else {
      this.keepDraft();
      this.say("saving", "Saving\u2026");
      this.schedule(PAUSE_MS);
    }
  };

  Autosaver.prototype.retry = function (reason) {
    var self = this;
    var seconds = Math.round(this.retryDelay / 1000);
    this.keepDraft();
    this.failing = true;
    this.say("problem", "Not saved \u2014 retrying. " + reason + " What you typed is kept on this device; " +
      "we will try again in " + seconds + " second" + (seconds === 1 ? "" : "s") + ".");
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.save(false); }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
  };

  Autosaver.prototype.conflict = function (data) {
    var self = this;
    this.blocked = "conflict";
    this.keepDraft();
    this.say("problem", "Not saved — this worksheet was changed in another tab or on another device.");
    this.notice("Not saved: this worksheet changed somewhere else",
      data.message + " What you typed here is still on this page and kept on this device.", [
        ["Keep what is on this page", function () {
          self.version.value = data.version;
          self.blocked = null;
          self.save(true);
        }],
        ["Show the newer answers", function () { window.location.reload(); }]
      ]);
  };

  Autosaver.prototype.notice = function (title, text, choices) {
    var old = this.form.parentNode.querySelector("[data-js-notice]");
    if (old) { old.remove(); }
    var box = document.createElement("div");
    box.className = "notice notice--problem";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.setAttribute("data-js-notice", "");
    var heading = document.createElement("h2");
    heading.textContent = title;
    var body = document.createElement("p");
    body.textContent = text;
    box.appendChild(heading);
    box.appendChild(body);
    if (choices) {
      var actions = document.createElement("p");
      actions.className = "actions";
      choices.forEach(function (choice, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button" + (index === 0 ? " button--primary" : "");
        button.textContent = choice[0];
        button.addEventListener("click", function () { box.remove(); choice[1](); });
        actions.appendChild(button);
      });
      box.appendChild(actions);
    }
    this.form.parentNode.insertBefore(box, this.form);
    box.focus();
  };

  // The words come from the server (clinic/words.py): one vocabulary on the page and in the script.
  Autosaver.prototype.progress = function (data) {
    var bar = document.querySelector("[data-progress] progress");
    var text = document.querySelector("[data-progress-text]");
    if (bar && typeof data.answered === "number") {
      bar.max = data.total;
      bar.value = data.answered;
      bar.textContent = data.answered + " of " + data.total;
      text.textContent = data.progress_text;
    }
  };

  Autosaver.prototype.showErrors = function (errors) {
    this.clearErrors(true);
    errors.forEach(function (error) {
      var target = document.getElementById(error.id);
      if (!target) { return; }
      var container = target.tagName === "FIELDSET" ? target : target.closest(".field");
      var list = document.createElement("ul");
      list.className = "field-errors";
      list.id = error.id + "-error";
      var item = document.createElement("li");
      item.textContent = error.message;
      list.appendChild(item);
      if (target.tagName === "FIELDSET") {
        target.insertBefore(list, target.querySelector("legend").nextSibling);
      } else {
        target.parentNode.insertBefore(list, target);
        target.setAttribute("aria-invalid", "true");
      }
      var describedBy = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (describedBy.indexOf(list.id) === -1) { describedBy.push(list.id); }
      target.setAttribute("aria-describedby", describedBy.join(" "));
      container.classList.add("field--error");
    });
    if (errors.length) { announce(errors[0].label + ": " + errors[0].message); }
  };

  // After a save, marks on fields the client has changed are out of date.
  Autosaver.prototype.clearErrors = function (all) {
    var touched = this.touched;
    this.form.querySelectorAll(".field--error").forEach(function (container) {
      var names = Array.prototype.map.call(container.querySelectorAll("[name]"), function (f) { return f.name; });
      if (!all && !names.some(function (name) { return touched[name]; })) { return; }
      container.classList.remove("field--error");
      container.querySelectorAll(".field-errors").forEach(function (list) { list.remove(); });
      container.querySelectorAll("[aria-invalid]").forEach(function (field) {
        if (field.getAttribute("data-over") !== "true") { field.removeAttribute("aria-invalid"); }
      });
    });
  };

  /* ---- recovering input after a reload, a crash or a lost connection --------------- */

  Autosaver.prototype.recover = function () {
    var self = this;
    var draft = this.storedDraft();
    var unsaved = this.form.hasAttribute("data-unsaved");
    if (unsaved) { this.keepDraft(); }  // the server sent back input it could not save: keep it here too
    if (!draft || !draft.answers || unsaved) { return; }
    if (sameAnswers(draft.answers, this.serialize())) { this.dropDraft(); return; }
    // Put back on its own only what this same tab typed before a reload or crash; words from
    // another tab (perhaps still open) or from before a sign-out are offered, never forced.
    if (draft.version === parseInt(this.version.value, 10) && this.tab && draft.tab === this.tab) {
      this.restore(draft.answers);
      this.say("saving", "We put back what you typed on this device that had not been saved yet. Saving it now\u2026");
      this.schedule(0);
      return;
    }
    this.notice("Answers on this device that were not saved",
      "This device still has answers for this part that did not reach the server (typed in another tab, " +
      "before a sign-out, or before the worksheet was saved somewhere else). " +
      "Which answers do you want to keep?", [
        ["Put back the answers from this device", function () {
          self.restore(draft.answers);
          self.blocked = null;
          self.save(true);
        }],
        ["Keep the saved answers", function () { self.dropDraft(); }]
      ]);
  };

  Autosaver.prototype.restore = function (pairs) {
    var form = this.form;
    var values = {};
    pairs.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Object.keys(values).forEach(function (name) {
      var match = /^(.+)-(\d+)-[a-z0-9-]+$/.exec(name);
      var fieldset = match && form.querySelector('[data-group="' + match[1] + '"]');
      while (fieldset && groupRows(fieldset).length <= parseInt(match[2], 10) && addRow(form, match[1])) { /* add rows */ }
    });
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || CONTROL_NAMES.indexOf(field.name) !== -1 || field.type === "submit") { return; }
      var mine = values[field.name] || [];
      if (field.type === "radio" || field.type === "checkbox") { field.checked = mine.indexOf(field.value) !== -1; }
      else { field.value = mine.length ? mine[0] : ""; }
      if (field.hasAttribute("data-max-length")) { updateCounter(field); }
    });
  };

  /* ---- items shown on a condition ---------------------------------------------------- */

  // The same test as the server's (clinic/worksheets/conditions.py), on the values in the page.
  // An answer on this part is read from the page; one from another part, from the saved answers
  // the server put in `data-outside`.
  function answerOf(form, name, hidden) {
    if (hidden[name]) { return []; }
    var values = [];
    var here = false;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name !== name) { return; }
      here = true;
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      if (field.value.trim()) { values.push(field.value.trim()); }
    });
    if (!here) {
      var saved = JSON.parse(form.getAttribute("data-outside") || "{}")[name];
      if (saved !== undefined && saved !== null) { values = [].concat(saved).map(String); }
    }
    return values;
  }

  function holds(form, condition, hidden) {
    if (condition.any) { return condition.any.some(function (c) { return holds(form, c, hidden); }); }
    if (condition.all) { return condition.all.every(function (c) { return holds(form, c, hidden); }); }
    var values = answerOf(form, condition.item, hidden);
    var among = function (list) { return values.some(function (v) { return list.map(String).indexOf(v) !== -1; }); };
    var n = parseFloat(values[0]);
    if (!values.length) { return false; }
    if (condition["in"] && !among(condition["in"])) { return false; }
    if (condition.not_in && among(condition.not_in)) { return false; }
    if (condition.gte !== undefined && !(n >= condition.gte)) { return false; }
    if (condition.lte !== undefined && !(n <= condition.lte)) { return false; }
    return true;
  }

  // Hide what does not apply; never hide an item with an error the client must see.
  function showWhatApplies(form) {
    var hidden = {};
    form.querySelectorAll("[data-show-if]").forEach(function (wrapper) {
      var shown = holds(form, JSON.parse(wrapper.getAttribute("data-show-if")), hidden) ||
        wrapper.querySelector(".field--error") !== null;
      wrapper.hidden = !shown;
      if (!shown) {
        wrapper.querySelectorAll("[name]").forEach(function (field) { hidden[field.name] = true; });
      }
    });
    // A part whose every question depends on an answer that rules it out says so, instead of an empty form.
    var empty = form.querySelector("[data-part-empty]");
    if (empty) {
      var nothing = Array.prototype.every.call(form.querySelectorAll("[data-show-if]"), function (w) { return w.hidden; });
      empty.hidden = !nothing;
      var intro = form.querySelector("[data-part-intro]");
      if (intro) { intro.hidden = nothing; }
    }
  }

  function setUpConditions(form) {
    if (!form.querySelector("[data-show-if]")) { return; }
    showWhatApplies(form);
    form.addEventListener("change", function () { showWhatApplies(form); });
    form.addEventListener("input", function () { showWhatApplies(form); });
  }

  /* ---- the sticky save status never covers the field being filled in ------------------- */

  // CSS scroll-padding does this when the browser scrolls to a field; this covers a field the
  // client taps or reaches by keyboard while it sits just under the bar.
  function keepFocusAboveTheSaveBar(form) {
    var bar = form.querySelector("[data-save-status]");
    if (!bar) { return; }
    form.addEventListener("focusin", function (event) {
      if (event.target === bar) { return; }
      var gap = event.target.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
      if (gap > 0 && bar.getBoundingClientRect().bottom >= window.innerHeight - 1) {
        window.scrollBy(0, gap + 12);
      }
    });
  }

  /* ---- start ------------------------------------------------------------------------ */

  // The link's token must not stay in the browser's history: show a clean address instead.
  function forgetTheLink() {
    var landing = document.querySelector("form[data-landing]");
    if (landing && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", landing.getAttribute("data-clean-url"));
    }
  }

  function start() {
    forgetTheLink();
    setUpCounters(document);
    var cleared = document.querySelector("[data-clear-draft]");
    if (cleared) { removeDrafts(cleared.getAttribute("data-clear-draft") + ":"); }
    var form = document.querySelector("form[data-worksheet]");
    if (form) { setUpConditions(form); }
    if (form && window.fetch && window.FormData) { new Autosaver(form); }
    // After moving to another part or step, focus goes to what the page is about (or to what went wrong).
    var first = document.querySelector("[data-error-summary]") || document.querySelector("[data-focus-on-load]");
    if (first) { first.focus(); }
    if (form) { keepFocusAboveTheSaveBar(form); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
