/* Groundwork client portal: character counters, autosave and "nothing lost".
 *
 * Progressive enhancement only: without this script every form still works
 * (Save draft, Add another, Submit are ordinary buttons). With it, answers save
 * after a short pause and when a field loses focus, unsaved input is kept in
 * localStorage until the server has it, and failed saves are retried.
 */
(function () {
  "use strict";

  var PAUSE_MS = 1500;
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 30000;
  var DRAFT_PREFIX = "groundwork:draft:";
  var CONTROL_NAMES = ["csrf_token", "version", "action"];

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

  function clockTime(iso) {
    var when = new Date(iso);
    var time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (when.toDateString() === new Date().toDateString()) { return "at " + time; }
    return "on " + when.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" }) + " at " + time;
  }

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

  function removeDraft(assignmentId) {
    var store = storage();
    if (store) { try { store.removeItem(DRAFT_PREFIX + assignmentId); } catch (error) { /* nothing to keep */ } }
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
    last.parentNode.insertBefore(row, last.nextSibling);
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
    this.key = DRAFT_PREFIX + this.assignment;
    this.tab = tabId();
    this.timer = null;
    this.inflight = null;
    this.again = false;
    this.retryDelay = RETRY_FIRST_MS;
    this.blocked = form.hasAttribute("data-conflict") ? "conflict" : null;
    this.submitting = false;
    this.touched = {};
    this.lastSaved = form.hasAttribute("data-unsaved") ? null : this.serialize();
    this.bind();
    if (form.getAttribute("data-saved-at") && !this.blocked && !form.hasAttribute("data-unsaved")) {
      this.say("ok", "All changes saved (last saved " + clockTime(form.getAttribute("data-saved-at")) + ").");
    }
    this.recover();
  }

  Autosaver.prototype.serialize = function () {
    var pairs = [];
    new FormData(this.form).forEach(function (value, name) {
      if (CONTROL_NAMES.indexOf(name) === -1) { pairs.push([name, String(value)]); }
    });
    return pairs;
  };

  function sameAnswers(a, b) {
    if (!a || !b) { return false; }
    var key = function (pairs) { return JSON.stringify(pairs.map(function (p) { return p.join("\u0000"); }).sort()); };
    return key(a) === key(b);
  }

  Autosaver.prototype.dirty = function () { return !sameAnswers(this.serialize(), this.lastSaved); };

  Autosaver.prototype.say = function (state, text) {
    this.status.classList.remove("save-status--ok", "save-status--saving", "save-status--problem");
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
      self.schedule(PAUSE_MS);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("focusout", function () { if (self.dirty()) { self.schedule(0); } });
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit") {
        event.preventDefault();  // Enter saves; it must not press "Add another" or "Submit"
        self.save(true);
      }
    });
    form.addEventListener("submit", function (event) { self.onSubmit(event); });
    window.addEventListener("online", function () { if (self.dirty() && !self.blocked) { self.save(false); } });
    window.addEventListener("beforeunload", function (event) {
      if (!self.submitting && (self.inflight || self.dirty())) {
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
    // Submit goes to the server as a normal form; first let a running save finish
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

  Autosaver.prototype.schedule = function (delay) {
    var self = this;
    if (this.blocked) { return; }
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.save(false); }, delay);
  };

  Autosaver.prototype.save = function (explicit) {
    var self = this;
    window.clearTimeout(this.timer);
    if (this.inflight) { this.again = true; return this.inflight; }
    if (this.blocked && !explicit) { return Promise.resolve(); }
    var answers = this.serialize();
    if (!explicit && sameAnswers(answers, this.lastSaved)) { return Promise.resolve(); }
    if (this.status.classList.contains("save-status--problem") || explicit) { this.say("saving", "Saving…"); }
    this.inflight = fetch(this.url, {
      method: "POST",
      body: new FormData(this.form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? response.json() : Promise.resolve({})).then(function (data) {
        self.handle(response.status, data, answers);
      });
    }, function () {
      self.retry("We cannot reach the server right now.");
    }).then(function () {
      self.inflight = null;
      if (self.again) { self.again = false; self.schedule(0); }
    });
    return this.inflight;
  };

  Autosaver.prototype.handle = function (code, data, answers) {
    if (code === 200 && data.status === "saved") { return this.saved(data, answers); }
    var message = data.message || "";
    if (data.status === "stale") { return this.conflict(data); }
    if (data.status === "closed") {
      this.blocked = "closed";
      removeDraft(this.assignment);
      this.notice("Not saved: already sent", message + " What you typed is still on this page, so you can copy it.");
      return this.say("problem", "Not saved — this worksheet has already been sent to your therapist.");
    }
    if (data.status === "signed_out" || data.status === "expired") {
      this.blocked = "signed_out";
      this.keepDraft();
      return this.say("problem", "Not saved — " + message);
    }
    if (data.status === "invalid") {
      this.showErrors(data.errors || []);
      return this.say("problem", "Not saved — please check the answer marked below. What you typed is kept.");
    }
    if (data.status === "too_large" || data.status === "forged") {
      return this.say("problem", message);
    }
    this.retry("Something went wrong on our side.");
  };

  Autosaver.prototype.saved = function (data, answers) {
    this.version.value = data.version;
    this.lastSaved = answers;
    this.retryDelay = RETRY_FIRST_MS;
    this.blocked = null;
    this.clearErrors();
    this.say("ok", "Saved " + clockTime(data.saved_at) + ".");
    this.progress(data.answered, data.total);
    if (sameAnswers(this.serialize(), answers)) { removeDraft(this.assignment); }
    else { this.keepDraft(); this.schedule(PAUSE_MS); }
  };

  Autosaver.prototype.retry = function (reason) {
    var self = this;
    var seconds = Math.round(this.retryDelay / 1000);
    this.keepDraft();
    this.say("problem", "Not saved — retrying. " + reason + " What you typed is kept on this device; " +
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

  Autosaver.prototype.progress = function (answered, total) {
    var bar = document.querySelector("[data-progress] progress");
    var text = document.querySelector("[data-progress-text]");
    if (bar && typeof answered === "number") {
      bar.value = answered;
      bar.textContent = answered + " of " + total;
      text.textContent = answered + " of " + total + " questions";
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
    if (sameAnswers(draft.answers, this.serialize())) { removeDraft(this.assignment); return; }
    // Put back on its own only what this same tab typed before a reload or crash; words from
    // another tab (perhaps still open) or from before a sign-out are offered, never forced.
    if (draft.version === parseInt(this.version.value, 10) && this.tab && draft.tab === this.tab) {
      this.restore(draft.answers);
      this.say("saving", "We put back what you typed on this device that had not been saved yet. Saving it now…");
      this.schedule(0);
      return;
    }
    this.notice("Answers on this device that were not saved",
      "This device still has answers typed " + clockTime(draft.at) + " that did not reach the server (in " +
      "another tab, before a sign-out, or before the worksheet was saved somewhere else). " +
      "Which answers do you want to keep?", [
        ["Put back the answers from this device", function () {
          self.restore(draft.answers);
          self.blocked = null;
          self.save(true);
        }],
        ["Keep the saved answers", function () { removeDraft(self.assignment); }]
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
  function answerOf(form, name, hidden) {
    if (hidden[name]) { return []; }
    var values = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name !== name) { return; }
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      if (field.value.trim()) { values.push(field.value.trim()); }
    });
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
  }

  function setUpConditions(form) {
    if (!form.querySelector("[data-show-if]")) { return; }
    showWhatApplies(form);
    form.addEventListener("change", function () { showWhatApplies(form); });
    form.addEventListener("input", function () { showWhatApplies(form); });
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
    if (cleared) { removeDraft(cleared.getAttribute("data-clear-draft")); }
    var form = document.querySelector("form[data-worksheet]");
    if (form) { setUpConditions(form); }
    if (form && window.fetch && window.FormData) { new Autosaver(form); }
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
