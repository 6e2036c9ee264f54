// calsync pages: the viewer's own time beside conference times, copy buttons,
// filters that refresh the feed URL, and creating / editing a personal feed.
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your zone";
  document.querySelectorAll(".viewer-zone").forEach(function (el) { el.textContent = "yours (" + zone + ")"; });
  var fmt = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  document.querySelectorAll("time[data-start]").forEach(function (el) {
    var start = new Date(el.dataset.start);
    var out = el.parentNode.querySelector("[data-local-for='" + el.dataset.start + "']");
    if (!out || isNaN(start)) { return; }
    var text = fmt.format(start);
    if (el.dataset.end) { text += "–" + new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(new Date(el.dataset.end)); }
    out.textContent = "(" + text + " your time)";
  });

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.copy");
    if (!btn) { return; }
    var text = btn.dataset.copy;
    if (navigator.clipboard) { navigator.clipboard.writeText(text).catch(function () {}); }
    btn.textContent = "Copied";
  });

  var filters = document.querySelector("form.filters");
  if (filters) {
    // Any change reloads the page with the new filters: the subscribe kit then shows
    // the feed URL (and size) of exactly these filters, computed by the server.
    filters.addEventListener("change", function () {
      var params = new URLSearchParams();
      new FormData(filters).forEach(function (value, key) { if (String(value).trim() !== "") { params.append(key, value); } });
      window.location.search = params.toString();
    });
  }

  function picked(root) {
    var talks = [], sessions = [];
    root.querySelectorAll("input.pick-talk:checked").forEach(function (el) { talks.push(el.value); });
    root.querySelectorAll("input.pick-session:checked").forEach(function (el) { sessions.push(el.value); });
    return { talks: talks, sessions: sessions };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var create = document.getElementById("myfeed-create");
  if (create) {
    var count = document.getElementById("myfeed-count");
    document.addEventListener("change", function (ev) {
      if (!ev.target.matches("input.pick-talk, input.pick-session")) { return; }
      var p = picked(document);
      count.textContent = (p.talks.length + p.sessions.length) + " selected";
    });
    create.addEventListener("click", function () {
      var p = picked(document);
      var result = document.getElementById("myfeed-result");
      result.hidden = false;
      result.textContent = "Creating…";
      fetch("/api/feeds", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: document.getElementById("myfeed-name").value, conference: create.dataset.conference,
                               talk_ids: p.talks, session_ids: p.sessions })
      }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          result.textContent = "";
          if (!res.ok) { result.appendChild(el("p", { "class": "error" }, res.body.error || "Could not create the feed")); return; }
          var f = res.body;
          result.appendChild(el("p", {}, "Your feed “" + f.name + "” is ready."));
          var url = el("input", { "class": "created-ics-url", readonly: "", size: "60", value: f.ics_url });
          result.appendChild(url);
          var list = el("ul", {});
          [["Subscribe page (Google, Outlook, QR)", f.page_url, "created-page"], ["Open in your calendar app", f.webcal_url, "created-webcal"],
           ["Add to Google Calendar", f.google_url, "created-google"], ["Private edit link — keep it", f.edit_url, "created-edit"]]
            .forEach(function (item) { var li = el("li", {}); li.appendChild(el("a", { href: item[1], "class": item[2] }, item[0])); list.appendChild(li); });
          result.appendChild(list);
        })
        .catch(function () { result.textContent = "Network error: the feed was not created."; });
    });
  }

  var edit = document.getElementById("edit-feed");
  if (edit) {
    var key = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("key");
    var status = document.getElementById("edit-status");
    if (!key) { document.getElementById("edit-nokey").hidden = false; document.getElementById("edit-save").disabled = true; }
    edit.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var p = picked(edit);
      var body = { name: document.getElementById("edit-name").value, conference: edit.dataset.conference,
                   talk_ids: p.talks, session_ids: p.sessions, view: edit.dataset.view };
      if (edit.dataset.alarm !== "") { body.alarm = parseInt(edit.dataset.alarm, 10); }
      var filter = JSON.parse(edit.dataset.filter || "{}");
      if (Object.keys(filter).length) { body.filter = filter; }
      status.textContent = "Saving…";
      fetch("/api/feeds/" + edit.dataset.token, {
        method: "PUT", headers: { "Content-Type": "application/json", "Authorization": "Bearer " + key }, body: JSON.stringify(body)
      }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) { status.textContent = res.ok ? "Saved" : (res.body.error || "Not saved"); })
        .catch(function () { status.textContent = "Network error: not saved"; });
    });
  }
})();
