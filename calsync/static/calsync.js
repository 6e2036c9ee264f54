// calsync pages: the viewer's own times, copy buttons, stars (kept in this browser),
// the programme's search and day tabs without reloads, My schedule and its feed, the feed editor.
(function () {
  "use strict";

  // -- small helpers -----------------------------------------------------------------------
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function getJSON(response) {
    return response.text().then(function (text) {
      var body = {};
      try { body = text ? JSON.parse(text) : {}; } catch (e) { body = { error: "unexpected answer (" + response.status + ")" }; }
      return { ok: response.ok, status: response.status, body: body };
    });
  }
  var conference = document.body.dataset.conference || "";

  // -- the viewer's own time beside the conference's -----------------------------------------
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  var hm = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
  var dayHm = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false });
  function localTimes(root) {
    $all("time[data-start]", root).forEach(function (t) {
      var out = t.nextElementSibling;
      if (!out || !out.classList.contains("local") || out.dataset.done) { return; }
      out.dataset.done = "1";
      var start = new Date(t.dataset.start), end = t.dataset.end ? new Date(t.dataset.end) : null;
      if (isNaN(start)) { return; }
      var offsetHere = -start.getTimezoneOffset();
      var m = /([+-])(\d\d):(\d\d)$/.exec(t.dataset.start);
      var offsetThere = m ? (m[1] === "-" ? -1 : 1) * (parseInt(m[2], 10) * 60 + parseInt(m[3], 10)) : (/Z$/.test(t.dataset.start) ? 0 : offsetHere);
      if (offsetHere === offsetThere) { return; }
      var text = dayHm.format(start) + (end && !isNaN(end) ? "–" + hm.format(end) : "");
      out.textContent = " (" + text + " your time)";
    });
  }
  $all(".viewer-zone").forEach(function (node) { if (zone) { node.textContent = "yours (" + zone + ")"; } });
  $all(".zone-note[data-zone]").forEach(function (node) {
    var note = node.querySelector(".viewer-note");
    if (note && zone && zone !== node.dataset.zone) { note.textContent = "; yours (" + zone + ") in brackets where they differ"; }
  });

  // -- copy buttons: say "Copied" only when it was -------------------------------------------
  function copyText(button) {
    var text = button.dataset.copy || "";
    var status = button.parentNode.querySelector(".copy-status");
    function say(message) { if (status) { status.textContent = message; } button.textContent = message === "Copied" ? "Copied" : "Copy"; }
    function fallback() {
      var input = button.parentNode.querySelector("input");
      var ok = false;
      if (input) {
        input.focus(); input.select();
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      }
      say(ok ? "Copied" : "Not copied: the text is selected, press Ctrl+C (⌘C)");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say("Copied"); }, fallback);
    } else { fallback(); }
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("button.copy");
    if (button) { copyText(button); }
  });

  // -- stars: {t: [talk ids], s: [session ids]} per conference, in localStorage ----------------
  var starKey = "calsync.stars." + conference;
  function readStars() {
    try {
      var raw = JSON.parse(window.localStorage.getItem(starKey) || "{}");
      return { t: Array.isArray(raw.t) ? raw.t : [], s: Array.isArray(raw.s) ? raw.s : [] };
    } catch (e) { return { t: [], s: [] }; }
  }
  function writeStars(stars) {
    try { window.localStorage.setItem(starKey, JSON.stringify(stars)); } catch (e) { /* private mode: stars last this page */ }
  }
  var starListeners = [];
  function showStars(root) {
    var stars = readStars();
    $all("button.star", root).forEach(function (button) {
      var parts = button.dataset.star.split(":"), on = stars[parts[0]].indexOf(parts[1]) >= 0;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "★" : "☆";
    });
    var n = stars.t.length + stars.s.length;
    $all("[data-star-count]").forEach(function (node) { node.textContent = n ? "(" + n + ")" : ""; });
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("button.star");
    if (!button || !conference) { return; }
    var parts = button.dataset.star.split(":"), stars = readStars(), list = stars[parts[0]];
    var at = list.indexOf(parts[1]);
    if (at >= 0) { list.splice(at, 1); } else { list.push(parts[1]); }
    writeStars(stars);
    showStars(document);
    starListeners.forEach(function (fn) { fn(); });
  });
  window.addEventListener("storage", function (ev) { if (ev.key === starKey) { showStars(document); } });

  function enhance(root) { localTimes(root); showStars(root); }
  enhance(document);

  // -- the programme: search, filters and day tabs without reloads ----------------------------
  var form = $("form.search");
  var results = $("#results");
  if (form && results) {
    var serial = 0, timer = null;
    var kitBox = $("#kit-box"), subscribe = $("#subscribe");
    var kitOptions = $("#kit-options");
    function params(extra) {
      var p = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (String(value).trim() !== "") { p.append(key, value); } });
      if (kitOptions) { new FormData(kitOptions).forEach(function (value, key) { if (String(value).trim() !== "") { p.append(key, value); } }); }
      Object.keys(extra || {}).forEach(function (k) { if (extra[k] === "") { p.delete(k); } else { p.set(k, extra[k]); } });
      return p;
    }
    function loadKit() {
      if (!subscribe.open) { return; }
      var src = kitBox.dataset.src;
      fetch(src, { headers: { Accept: "text/html" } }).then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
        .then(function (res) { if (res.ok && kitBox.dataset.src === src) { kitBox.innerHTML = res.text; } });
    }
    if (subscribe && kitBox) { subscribe.addEventListener("toggle", loadKit); }
    if (kitOptions) {
      kitOptions.addEventListener("change", function () { setKit(); loadKit(); });
      kitOptions.addEventListener("submit", function (ev) { ev.preventDefault(); setKit(); loadKit(); });
    }
    function setKit() {
      var p = params(); p.delete("from");
      kitBox.dataset.src = form.dataset.kit + (p.toString() ? "?" + p.toString() : "");
      var url = window.location.pathname + (p.toString() ? "?" + p.toString() : "");
      window.history.replaceState({ q: p.toString() }, "", url);
    }
    function update(push) {
      var p = params(), query = p.toString(), mine = ++serial;
      results.setAttribute("aria-busy", "true");
      fetch(form.dataset.fragment + (query ? "?" + query : ""), { headers: { Accept: "text/html" } })
        .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
        .then(function (res) {
          if (mine !== serial) { return; }
          results.removeAttribute("aria-busy");
          if (!res.ok) { $("#match-count").textContent = "This search cannot be run: " + (new DOMParser().parseFromString(res.text, "text/html").querySelector(".error") || {}).textContent; return; }
          results.innerHTML = res.text;
          enhance(results);
          watchMore();
          var url = window.location.pathname + (query ? "?" + query : "");
          if (push) { window.history.pushState({ q: query }, "", url); } else { window.history.replaceState({ q: query }, "", url); }
          if (kitBox) { setKit(); loadKit(); }
          if (subscribe) {
            var filtered = ["q", "type", "room", "author"].some(function (k) { return p.has(k); });
            subscribe.querySelector("summary").textContent = "Subscribe to " + (filtered ? "these talks" : "the whole conference") + (form.elements.day.value ? " (this day)" : "") + " in your calendar";
          }
        })
        .catch(function () { if (mine === serial) { results.removeAttribute("aria-busy"); $("#match-count").textContent = "Network error: the programme was not updated."; } });
    }
    form.addEventListener("input", function (ev) {
      if (ev.target.name === "q" || ev.target.name === "author") {
        clearTimeout(timer);
        timer = setTimeout(function () { update(false); }, 180);
      }
    });
    form.addEventListener("change", function (ev) { if (ev.target.name === "type" || ev.target.name === "room") { update(false); } });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); update(true); });
    results.addEventListener("click", function (ev) {
      var tab = ev.target.closest("nav.days a[data-day]");
      if (tab) {
        ev.preventDefault();
        form.elements.day.value = tab.dataset.day;
        update(true);
        return;
      }
      var more = ev.target.closest("a.load-more[data-where='after']");
      if (more) { ev.preventDefault(); loadMore(more); }
    });
    window.addEventListener("popstate", function () { window.location.reload(); });

    var loading = false;
    function loadMore(link) {
      if (loading) { return; }
      loading = true;
      var url = new URL(link.href, window.location.href);
      fetch(form.dataset.fragment + url.search, { headers: { Accept: "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var box = document.createElement("div");
          box.innerHTML = html;
          var list = $(".sessions", results);
          $all(".sessions > *", box).forEach(function (node) { list.appendChild(node); });
          var holder = link.closest("p.load"), next = $("a.load-more[data-where='after']", box);
          if (next) { holder.replaceWith(next.closest("p.load")); } else { holder.remove(); }
          enhance(list);
          loading = false;
          watchMore();
        })
        .catch(function () { loading = false; });
    }
    var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { if (entry.isIntersecting) { loadMore(entry.target); } });
    }, { rootMargin: "600px" }) : null;
    function watchMore() {
      if (!observer) { return; }
      observer.disconnect();
      var more = $("a.load-more[data-where='after']", results);
      if (more) { observer.observe(more); }
    }
    watchMore();
    var current = $(".session.current", results);
    if (current && !window.location.hash && !form.elements.q.value) { current.scrollIntoView({ block: "start" }); }
  }

  // -- My schedule ------------------------------------------------------------------------
  var schedule = $("#schedule");
  if (schedule) {
    var makeForm = $("#make-feed"), makeButton = $("#make-feed-button"), makeStatus = $("#make-feed-status");
    function renderSchedule() {
      var stars = readStars(), n = stars.t.length + stars.s.length;
      $("#schedule-empty").hidden = n > 0;
      makeButton.disabled = n === 0;
      makeStatus.textContent = n === 0 ? "Star talks or sessions first." : "";
      if (!n) { $("#schedule-items").textContent = ""; return; }
      var p = new URLSearchParams();
      stars.t.forEach(function (id) { p.append("t", id); });
      stars.s.forEach(function (id) { p.append("s", id); });
      fetch(schedule.dataset.items + "?" + p.toString()).then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
        .then(function (res) {
          var box = $("#schedule-items");
          if (!res.ok) { box.textContent = "Your starred items could not be shown (" + res.text.length + " bytes of error)."; return; }
          box.innerHTML = res.text;
          enhance(box);
        });
    }
    starListeners.push(renderSchedule);
    renderSchedule();
    makeForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var stars = readStars();
      if (!stars.t.length && !stars.s.length) { makeStatus.textContent = "Star talks or sessions first."; return; }
      makeButton.disabled = true;
      makeStatus.textContent = "Creating…";
      fetch("/api/feeds", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: $("#feed-name").value, conference: makeForm.dataset.conference, talk_ids: stars.t, session_ids: stars.s })
      }).then(getJSON).then(function (res) {
        makeButton.disabled = false;
        if (!res.ok) { makeStatus.textContent = "Not created: " + (res.body.error || "error " + res.status); return; }
        makeStatus.textContent = "Created.";
        showMadeFeed(res.body);
      }).catch(function () { makeButton.disabled = false; makeStatus.textContent = "Network error: the feed was not created."; });
    });
  }
  function copyRow(label, value, cls) {
    var row = el("p", { "class": "feed-url-row" });
    var lab = el("label", {}, label + " ");
    lab.appendChild(el("input", { readonly: "", value: value, "class": cls }));
    row.appendChild(lab);
    var button = el("button", { type: "button", "class": "copy", "data-copy": value }, "Copy");
    row.appendChild(button);
    row.appendChild(el("span", { "class": "copy-status", role: "status" }));
    return row;
  }
  function showMadeFeed(f) {
    var box = $("#made-feed");
    box.hidden = false;
    box.textContent = "";
    box.appendChild(el("h3", {}, "Your feed “" + f.name + "” is ready"));
    box.appendChild(copyRow("Feed URL", f.ics_url, "created-ics-url"));
    var links = el("ul", { "class": "links" });
    [["Open in your calendar app (webcal)", f.webcal_url, "created-webcal"], ["Add to Google Calendar", f.google_url, "created-google"],
     ["Subscribe page (Outlook, QR code, feed size)", f.page_url, "created-page"]].forEach(function (item) {
      var li = el("li", {});
      li.appendChild(el("a", { href: item[1], "class": item[2] }, item[0]));
      links.appendChild(li);
    });
    box.appendChild(links);
    var warn = el("div", { "class": "warning keep-link", role: "note" });
    warn.appendChild(el("h3", {}, "Keep your private edit link"));
    warn.appendChild(el("p", {}, "It is the only way to change or delete this feed, and it is shown only now: copy it somewhere safe. Anyone who has it can change your feed."));
    warn.appendChild(copyRow("Edit link", f.edit_url, "created-edit"));
    var open = el("p", {});
    open.appendChild(el("a", { href: f.edit_url, "class": "created-edit-link" }, "Open the edit page"));
    warn.appendChild(open);
    box.appendChild(warn);
    box.querySelector("h3").setAttribute("tabindex", "-1");
    box.querySelector("h3").focus();
  }

  // -- the custom feed editor ----------------------------------------------------------------
  var edit = $("#edit-feed");
  if (edit) {
    var key = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("key");
    var status = $("#edit-status"), danger = $("#danger-status"), items = $("#edit-items");
    if (key) { edit.dataset.key = key; }
    if (!key) {
      $("#edit-nokey").hidden = false;
      $all("#edit-save, #edit-rotate, #edit-delete").forEach(function (b) { b.disabled = true; });
    }
    function count() { $("#edit-count").textContent = "(" + $all("li", items).length + ")"; }
    function addItem(kind, id, title, href) {
      if ($("li[data-kind='" + kind + "'][data-id='" + id + "']", items)) { return false; }
      var li = el("li", { "data-kind": kind, "data-id": id });
      li.appendChild(href ? el("a", { href: href, "class": "item-title" }, title) : el("span", { "class": "item-title" }, title));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("button", { type: "button", "class": "remove", "aria-label": "Remove " + title }, "Remove"));
      items.appendChild(li);
      count();
      return true;
    }
    items.addEventListener("click", function (ev) {
      var b = ev.target.closest("button.remove");
      if (b) { b.closest("li").remove(); count(); status.textContent = "Removed (not saved yet)"; }
    });
    $("#add-starred").addEventListener("click", function () {
      // The starred items with their titles and times, as My schedule shows them.
      var stars = readStars(), p = new URLSearchParams();
      stars.t.forEach(function (id) { p.append("t", id); });
      stars.s.forEach(function (id) { p.append("s", id); });
      if (!stars.t.length && !stars.s.length) { status.textContent = "Nothing starred on this device yet."; return; }
      fetch(edit.dataset.items + "?" + p.toString()).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html"), added = 0;
        $all("li.item", doc).forEach(function (li) {
          var link = li.querySelector("a.title"), time = li.querySelector("time");
          var title = (time ? time.textContent + " " : "") + (link ? link.textContent : li.dataset.id);
          if (addItem(li.dataset.kind, li.dataset.id, title, li.dataset.kind === "t" && link ? link.getAttribute("href") : null)) { added++; }
        });
        status.textContent = added ? added + " added (not saved yet)" : "Nothing new to add";
      });
    });
    var search = $("#add-search"), found = $("#add-results"), searchTimer = null;
    search.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () {
        var q = search.value.trim();
        found.textContent = "";
        if (q.length < 2) { return; }
        // The programme's own search (the same index as the page): its talks, read from the fragment.
        fetch(edit.dataset.search + "?q=" + encodeURIComponent(q)).then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); }).then(function (res) {
          found.textContent = "";
          var doc = new DOMParser().parseFromString(res.text, "text/html");
          if (!res.ok) { found.appendChild(el("li", {}, (doc.querySelector(".error") || {}).textContent || "The search failed.")); return; }
          var talks = $all("li.talk", doc).slice(0, 20);
          talks.forEach(function (t) {
            var id = t.dataset.talkId, link = t.querySelector("a.title"), time = t.querySelector("time");
            var title = (time ? time.dataset.start.slice(0, 10) + " " + time.textContent + " " : "") + (link ? link.textContent : id);
            var li = el("li", { "data-id": id });
            li.appendChild(el("span", { "class": "item-title" }, title));
            var b = el("button", { type: "button", "class": "add" }, "Add");
            b.addEventListener("click", function () { if (addItem("t", id, title, link ? link.getAttribute("href") : null)) { status.textContent = "Added (not saved yet)"; } b.disabled = true; });
            li.appendChild(document.createTextNode(" "));
            li.appendChild(b);
            found.appendChild(li);
          });
          if (!talks.length) { found.appendChild(el("li", {}, "No talk matches.")); }
        });
      }, 200);
    });
    function auth() { return { "Content-Type": "application/json", "Authorization": "Bearer " + edit.dataset.key }; }
    edit.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { name: $("#edit-name").value, conference: edit.dataset.conference, view: $("#edit-view").value,
                   talk_ids: $all("li[data-kind='t']", items).map(function (li) { return li.dataset.id; }),
                   session_ids: $all("li[data-kind='s']", items).map(function (li) { return li.dataset.id; }) };
      var alarm = $("#edit-alarm").value;
      if (alarm !== "") { body.alarm = parseInt(alarm, 10); }
      var filter = JSON.parse(edit.dataset.filter || "{}");
      if (Object.keys(filter).length) { body.filter = filter; }
      if (!body.talk_ids.length && !body.session_ids.length && !body.filter) { status.textContent = "Not saved: a feed needs at least one talk or session (or delete it below)."; return; }
      status.textContent = "Saving…";
      fetch("/api/feeds/" + edit.dataset.token, { method: "PUT", headers: auth(), body: JSON.stringify(body) })
        .then(getJSON).then(function (res) { status.textContent = res.ok ? "Saved: the feed URL is unchanged." : "Not saved: " + (res.body.error || res.status); })
        .catch(function () { status.textContent = "Network error: not saved"; });
    });
    $("#edit-rotate").addEventListener("click", function () {
      if (!window.confirm("Give the feed a new URL? The old one stops working at once.")) { return; }
      fetch("/api/feeds/" + edit.dataset.token + "/rotate", { method: "POST", headers: auth() }).then(getJSON).then(function (res) {
        if (!res.ok) { danger.textContent = "Not changed: " + (res.body.error || res.status); return; }
        danger.textContent = "New URL: " + res.body.ics_url + " — opening its edit page (same edit key)…";
        window.location.assign("/feeds/" + res.body.token + "/edit#key=" + encodeURIComponent(edit.dataset.key));
      });
    });
    $("#edit-delete").addEventListener("click", function () {
      if (!window.confirm("Delete this feed? Calendars subscribed to it stop updating.")) { return; }
      fetch("/api/feeds/" + edit.dataset.token, { method: "DELETE", headers: auth() }).then(function (r) {
        if (r.status === 204) { edit.hidden = true; $(".kit") && ($(".kit").hidden = true); danger.textContent = "Deleted."; }
        else { danger.textContent = "Not deleted (error " + r.status + ")"; }
      });
    });
  }
})();
