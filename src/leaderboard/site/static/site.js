/* contributor-leaderboard — progressive enhancement (WEB-06). Every page works without this file. */
(function () {
  "use strict";
  var doc = document;
  function $all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }
  function $(sel, root) { return (root || doc).querySelector(sel); }
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  /* Theme menu (WEB-14): localStorage "theme" = light | dark | system */
  function storedTheme() { try { return localStorage.getItem("theme") || "system"; } catch (e) { return "system"; } }
  function applyTheme(choice) {
    var dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    var root = doc.documentElement;
    root.classList.toggle("dark", dark);
    root.classList.toggle("light", !dark);
    $all("[data-theme-value]").forEach(function (b) { b.setAttribute("aria-checked", String(b.getAttribute("data-theme-value") === choice)); });
  }
  function initTheme() {
    var menu = $("[data-theme-menu]");
    if (!menu) return;
    menu.hidden = false;
    var toggle = $("[data-theme-toggle]", menu), options = $("[data-theme-options]", menu);
    function close() { options.hidden = true; toggle.setAttribute("aria-expanded", "false"); }
    toggle.addEventListener("click", function (ev) {
      ev.stopPropagation();
      var open = options.hidden;
      options.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) { var first = $("[aria-checked=true]", options) || $("button", options); if (first) first.focus(); }
    });
    $all("[data-theme-value]", menu).forEach(function (b) {
      b.addEventListener("click", function () {
        var v = b.getAttribute("data-theme-value");
        try { localStorage.setItem("theme", v); } catch (e) { /* private mode: session only */ }
        applyTheme(v); close(); toggle.focus();
      });
    });
    doc.addEventListener("click", function (ev) { if (!menu.contains(ev.target)) close(); });
    doc.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !options.hidden) { close(); toggle.focus(); } });
    applyTheme(storedTheme());
    if (window.matchMedia) {
      var mq = window.matchMedia("(prefers-color-scheme: dark)");
      var onChange = function () { if (storedTheme() === "system") applyTheme("system"); };
      if (mq.addEventListener) mq.addEventListener("change", onChange);
    }
  }

  /* Relative times (WEB-10) */
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat("en", { numeric: "auto" }) : null;
  function relative(date) {
    var diff = (date.getTime() - Date.now()) / 1000, abs = Math.abs(diff);
    var units = [["second", 60, 1], ["minute", 3600, 60], ["hour", 86400, 3600], ["day", 2592000, 86400], ["month", 31536000, 2592000]];
    for (var i = 0; i < units.length; i++) if (abs < units[i][1]) return rtf.format(Math.round(diff / units[i][2]), units[i][0]);
    return rtf.format(Math.round(diff / 31536000), "year");
  }
  function updateTimes() {
    if (!rtf) return;
    $all("time[data-relative]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d.getTime())) return;
      if (!t.title) t.title = t.textContent;
      t.textContent = relative(d);
    });
  }

  /* Leaderboard search, role filter and sort (WEB-32); "Show more" and filters over the whole
     ranking, loaded once from the JSON API when the page holds only the first rows (WEB-63) */
  function el(tag, cls, text) { var e = doc.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function initLeaderboard() {
    var box = $("[data-leaderboard]");
    if (!box) return;
    var filters = $("[data-filters]", box), table = $("#lb-main");
    if (!filters || !table) return;
    filters.hidden = false;
    var body = $("tbody", table);
    var rows = $all("tr[data-row]", table), search = $("[data-search]", filters);
    var roleBtn = $("[data-role-button]", filters), pop = $("[data-role-popover]", filters);
    var roleBoxes = $all("[data-role-option]", filters), roleCount = $("[data-role-count]", filters);
    var count = $("[data-count]", box), noMatch = $("[data-no-match]", box), sorter = $("[data-sort]", filters);
    var more = $("[data-show-more]", box), pager = $("[data-pager]", box);
    var total = Number(count && count.getAttribute("data-total")) || rows.length;
    var api = box.getAttribute("data-api"), firstRank = rows.length ? Number(rows[0].getAttribute("data-rank")) : 1;
    var limit = rows.length, loaded = !api || rows.length >= total || firstRank !== 1, loading = null;
    var roleNames = {}, fetched = false, initialCount = count ? count.textContent : "";
    roleBoxes.forEach(function (b) { roleNames[b.value] = b.parentNode.textContent.trim(); });
    function rowOf(e) {
      var tr = el("tr", e.rank <= 3 ? "top-row" : "");
      tr.setAttribute("data-row", ""); tr.setAttribute("data-rank", String(e.rank));
      tr.setAttribute("data-name", (e.name || e.username).toLowerCase()); tr.setAttribute("data-username", e.username.toLowerCase());
      tr.setAttribute("data-role", e.role || ""); tr.setAttribute("data-points", String(e.points)); tr.setAttribute("data-activities", String(e.activity_count));
      var rank = el("td", "rank-cell"), num = el("span", "rank-num", String(e.rank)); num.setAttribute("data-rank-num", ""); rank.appendChild(num);
      var who = el("td", "who-cell"), a = el("a", "who stretched"); a.href = e.profile_url;
      var img = el("img", "avatar"); img.src = e.avatar_url || ""; img.alt = e.name || e.username; img.width = 36; img.height = 36; img.loading = "lazy";
      var text = el("span", "who-text"), name = el("span", "name nm", e.name || e.username), user = el("span", "muted nm", "@" + e.username);
      name.title = name.textContent; user.title = user.textContent;
      text.appendChild(name); text.appendChild(user); a.appendChild(img); a.appendChild(text); who.appendChild(a);
      if (e.role) { var badge = el("span", "role-badge", roleNames[e.role] || e.role); badge.setAttribute("data-contributor-role", e.role); who.appendChild(badge); }
      tr.appendChild(rank); tr.appendChild(who);
      if ($("th.defs-col", table)) tr.appendChild(el("td", "defs-cell"));
      var pts = el("td", "num points-cell"); pts.appendChild(el("span", "points", e.points.toLocaleString("en-US"))); tr.appendChild(pts);
      tr.appendChild(el("td", "spark-cell"));
      return tr;
    }
    function loadAll() {
      if (loaded) return Promise.resolve();
      if (!loading) loading = fetch(api).then(function (r) { return r.json(); }).then(function (doc_) {
        var have = {};
        rows.forEach(function (r) { have[r.getAttribute("data-username")] = true; });
        (doc_.entries || []).forEach(function (e) {
          if (e.points > 0 && !have[e.username.toLowerCase()]) body.appendChild(rowOf(e));
        });
        rows = $all("tr[data-row]", table); total = rows.length; loaded = true; fetched = true;
        if (pager) pager.hidden = true;
      }).catch(function () { loading = null; });
      return loading;
    }
    function selectedRoles() { return roleBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }); }
    function apply(sync) {
      var q = (search.value || "").trim().toLowerCase();
      var roles = selectedRoles();
      var subset = roles.length > 0 && roles.length < roleBoxes.length;
      var filtering = subset || !!q;
      var rank = 0, shown = 0, matched = 0;
      rows.forEach(function (r, i) {
        var roleOk = !subset || roles.indexOf(r.getAttribute("data-role")) >= 0;
        if (roleOk) rank++;
        var textOk = !q || r.getAttribute("data-name").indexOf(q) >= 0 || r.getAttribute("data-username").indexOf(q) >= 0;
        var visible = roleOk && textOk && (filtering || i < limit);
        if (roleOk && textOk) matched++;
        r.hidden = !visible;
        if (visible) shown++;
        var num = $("[data-rank-num]", r), medal = $(".medal", r), change = $("[data-rank-change]", r);
        var newRank = subset ? rank : Number(r.getAttribute("data-rank"));
        if (num) { num.textContent = String(newRank); num.hidden = !subset && newRank <= 3 && !!medal; }
        if (medal) medal.hidden = subset;
        if (change) change.hidden = subset;
      });
      if (count) count.textContent = !filtering && shown === total ? String(total) : !filtering && !fetched ? initialCount : (filtering ? matched : shown) + " of " + total;
      if (noMatch) noMatch.hidden = shown !== 0;
      if (more) more.hidden = filtering || (loaded && limit >= rows.length) || !api;
      table.hidden = shown === 0;
      if (roleCount) { roleCount.hidden = !subset; roleCount.textContent = String(roles.length); }
      filterTopCards(subset ? roles : null);
      if (sync) {
        var url = new URL(window.location.href);
        if (q) url.searchParams.set("q", search.value.trim()); else url.searchParams.delete("q");
        if (subset) url.searchParams.set("roles", roles.join(",")); else url.searchParams.delete("roles");
        history.replaceState(null, "", url.pathname + url.search + url.hash);
      }
    }
    function filterTopCards(roles) {
      /* WEB-33 (P2): each card carries its top 10; show the first 3 of the selected roles */
      $all("[data-top-card]").forEach(function (card) {
        var n = 0;
        $all("li[data-role]", card).forEach(function (li) {
          var show = (!roles || roles.indexOf(li.getAttribute("data-role")) >= 0) && n < 3;
          li.hidden = !show;
          if (!show) return;
          n++;
          var num = $(".rank", li);
          if (num) { num.textContent = String(n); num.className = "rank medal-text-" + n; }
        });
        card.hidden = n === 0;
      });
    }
    function sortRows() {
      /* order only: ranks stay the ones computed at build (WEB-02) */
      var key = sorter ? sorter.value : "rank";
      var sorted = rows.slice().sort(function (a, b) {
        if (key === "name") return a.getAttribute("data-name").localeCompare(b.getAttribute("data-name"));
        if (key === "activities") return Number(b.getAttribute("data-activities")) - Number(a.getAttribute("data-activities")) || Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank"));
        return Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank"));
      });
      sorted.forEach(function (r) { body.appendChild(r); });
      rows = sorted;
    }
    function whole(then) { return function () { var done = function () { then(); }; if (loaded) done(); else loadAll().then(done); }; }
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) search.value = params.get("q");
    if (params.get("roles")) {
      var wanted = params.get("roles").split(",");
      roleBoxes.forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
    }
    search.addEventListener("input", function () { apply(true); whole(function () { apply(true); })(); });
    roleBoxes.forEach(function (b) { b.addEventListener("change", whole(function () { apply(true); })); });
    if (sorter) sorter.addEventListener("change", function () { sortRows(); apply(false); });
    if (more) more.addEventListener("click", whole(function () { limit += 100; if (sorter && sorter.value !== "rank") sortRows(); apply(false); }));
    function closePop(focus) { if (pop && !pop.hidden) { pop.hidden = true; roleBtn.setAttribute("aria-expanded", "false"); if (focus) roleBtn.focus(); } }
    if (roleBtn) roleBtn.addEventListener("click", function (ev) {
      ev.stopPropagation();
      pop.hidden = !pop.hidden;
      roleBtn.setAttribute("aria-expanded", String(!pop.hidden));
    });
    doc.addEventListener("click", function (ev) { if (pop && !pop.contains(ev.target)) closePop(false); });
    doc.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePop(true); });
    $("[data-clear]", filters).addEventListener("click", function () {
      search.value = ""; roleBoxes.forEach(function (b) { b.checked = true; });
      if (sorter) { sorter.value = "rank"; sortRows(); }
      apply(true);
    });
    if (params.get("q") || params.get("roles")) whole(function () { apply(false); })();
    apply(false);
  }

  /* People view switch (WEB-35) */
  function initPeople() {
    var radios = $all("[data-view-radio]");
    if (!radios.length) return;
    var params = new URLSearchParams(window.location.search);
    if (params.get("view") === "gallery") { var g = $("#view-gallery"); if (g) g.checked = true; }
    radios.forEach(function (r) {
      r.addEventListener("change", function () {
        var url = new URL(window.location.href);
        if (r.value === "gallery") url.searchParams.set("view", "gallery"); else url.searchParams.delete("view");
        history.replaceState(null, "", url.pathname + url.search + url.hash);
      });
    });
  }

  /* People search over everyone (WEB-24, WEB-63): the list itself is paged */
  function initPeopleSearch() {
    var box = $("[data-people-search]");
    if (!box) return;
    box.hidden = false;
    var input = $("[data-people-query]", box), results = $("[data-people-results]", box);
    var status = $("[data-people-status]", box), views = $("[data-people-views]"), all = null, pending = null;
    function card(p) {
      var li = el("li"), a = el("a", "person-card"); a.href = p.profile_url;
      var img = el("img", "avatar"); img.src = p.avatar_url || ""; img.alt = p.name || p.username; img.width = 64; img.height = 64; img.loading = "lazy";
      var name = el("span", "name nm", p.name || p.username), user = el("span", "muted small nm", "@" + p.username);
      name.title = name.textContent; user.title = user.textContent;
      a.appendChild(img); a.appendChild(name); a.appendChild(user);
      if (p.points > 0) a.appendChild(el("span", "pts small", p.points.toLocaleString("en-US") + " pts"));
      li.appendChild(a); return li;
    }
    function show() {
      var q = input.value.trim().toLowerCase();
      if (!q) { results.hidden = true; if (views) views.hidden = false; status.textContent = ""; return; }
      if (!all) return;
      var found = all.filter(function (p) { return p.username.toLowerCase().indexOf(q) >= 0 || (p.name || "").toLowerCase().indexOf(q) >= 0; });
      results.textContent = "";
      found.slice(0, 200).forEach(function (p) { results.appendChild(card(p)); });
      results.hidden = false; if (views) views.hidden = true;
      status.textContent = found.length ? (found.length > 200 ? "Showing 200 of " + found.length + " matches" : found.length + (found.length === 1 ? " match" : " matches")) : "No people match “" + input.value.trim() + "”";
    }
    input.addEventListener("input", function () {
      if (!all && !pending) pending = fetch(box.getAttribute("data-people-search")).then(function (r) { return r.json(); })
        .then(function (d) { all = d.contributors || []; show(); }).catch(function () { pending = null; status.textContent = "Search is unavailable offline"; });
      show();
    });
  }

  /* Heatmap year buttons (WEB-40) */
  function initHeatmaps() {
    var wrap = $("[data-heatmaps]");
    if (!wrap) return;
    var buttons = $all("[data-year]", wrap), grids = $all("[data-heatmap]", wrap);
    if (!buttons.length) return;
    $("[data-year-buttons]", wrap).hidden = false;
    function show(key) {
      grids.forEach(function (g) { g.hidden = g.getAttribute("data-heatmap") !== key; });
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-year") === key)); });
    }
    buttons.forEach(function (b) { b.addEventListener("click", function () { show(b.getAttribute("data-year")); recent(); }); });
    show(buttons[0].getAttribute("data-year"));
  }
  function recent() {
    /* below lg the grids scroll: start at the newest weeks, which matter most (WEB-60) */
    $all("[data-heatmap-scroll]").forEach(function (s) { s.scrollLeft = s.scrollWidth; });
  }
  function initHeatmapKeys() {
    /* one tab stop per grid; arrow keys step through the days with activity */
    $all("svg.heatmap").forEach(function (svg) {
      var cells = $all("rect", svg).filter(function (r) { return r.querySelector("title"); });
      svg.addEventListener("keydown", function (ev) {
        var i = cells.indexOf(ev.target), step = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1, Home: -1e9, End: 1e9 }[ev.key];
        if (i < 0 || !step) return;
        ev.preventDefault();
        var next = cells[Math.max(0, Math.min(cells.length - 1, i + step))];
        cells.forEach(function (c) { c.setAttribute("tabindex", c === next ? "0" : "-1"); });
        next.focus();
      });
    });
  }

  /* Timeline (WEB-42): one month at a time with "Load More", older months fetched from the
     JSON API (WEB-63); activity-type and date filters over the loaded months */
  var TYPE_KEY = "leaderboard_activity_type_filter";
  function initTimeline() {
    var tl = $("[data-timeline]");
    if (!tl) return;
    var more = $("[data-load-more]", tl), status = $("[data-tl-status]", tl), empty = $("[data-tl-empty]", tl);
    var bar = $("[data-tl-filters]", tl), remote = [], visible = 1, busy = false;
    var moreJson = $("[data-tl-more]", tl);
    if (moreJson) { try { remote = JSON.parse(moreJson.textContent); } catch (e) { remote = []; } }
    var typeBoxes = $all("[data-tl-type]", tl), typeBtn = $("[data-tl-type-button]", tl), typePop = $("[data-tl-type-popover]", tl);
    var typeCount = $("[data-tl-type-count]", tl), from = $("[data-tl-from]", tl), to = $("[data-tl-to]", tl);
    var preset = $("[data-tl-preset]", tl), clear = $("[data-tl-clear]", tl);
    if (!more) return;
    if (bar) bar.hidden = false;
    try { var saved = JSON.parse(localStorage.getItem(TYPE_KEY) || "[]"); typeBoxes.forEach(function (b) { b.checked = saved.indexOf(b.value) >= 0; }); } catch (e) { /* none */ }
    function months() { return $all("[data-month]", tl); }
    var spriteUse = $('use[href*=".svg"]'), sprite = spriteUse ? spriteUse.getAttribute("href").split("#")[0] : "";
    function types() { return typeBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }); }
    function isoDay(d) { return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0"); }
    function matches(li, t) {
      var day = li.getAttribute("data-day");
      return (!t.length || t.indexOf(li.getAttribute("data-type")) >= 0) && (!from.value || day >= from.value) && (!to.value || day <= to.value);
    }
    function render() {
      var t = types(), filtering = t.length > 0 || !!from.value || !!to.value;
      var shownMonths = 0, matchedMonths = 0, shownItems = 0, matchedItems = 0;
      months().forEach(function (m) {
        var n = 0;
        $all(".tl-item", m).forEach(function (li) { var ok = matches(li, t); li.hidden = !ok; if (ok) n++; });
        var head = $(".tl-month-head .muted", m);
        if (head) head.textContent = n + (n === 1 ? " activity" : " activities");
        if (n) matchedMonths++;
        var show = n > 0 && matchedMonths <= visible;
        m.hidden = !show;
        matchedItems += n;
        if (show) { shownMonths++; shownItems += n; }
      });
      var pending = filtering ? 0 : remote.reduce(function (acc, r) { return acc + r.count; }, 0);
      var totalMonths = matchedMonths + (filtering ? 0 : remote.length);
      if (status) status.textContent = shownItems + " of " + (matchedItems + pending) + " activities · " + shownMonths + " of " + totalMonths + " months" + (filtering ? " (filtered)" : "");
      if (empty) empty.hidden = matchedItems > 0;  /* older months may still be loaded with "Load More" */
      var next = matchedMonths > visible ? months().filter(function (m) { return $all(".tl-item:not([hidden])", m).length; })[visible] : null;
      if (next) { more.hidden = false; more.textContent = "Load More (" + $(".tl-month-head span", next).textContent + ")"; }
      else if (remote.length) { more.hidden = false; more.textContent = "Load More (" + remote[0].label + ")"; }
      else more.hidden = true;
      if (typeCount) { typeCount.hidden = !t.length; typeCount.textContent = String(t.length); }
      if (clear) clear.hidden = !filtering;
    }
    function itemOf(row, kinds) {
      /* a row of the year file: [type index, occurred_at, day, points, title, link, text] */
      var kind = kinds[row[0]] || ["", ""], at = row[1], title = row[4], link = row[5], text = row[6];
      var li = el("li", "tl-item"); li.setAttribute("data-type", kind[0]); li.setAttribute("data-day", row[2]);
      var meta = el("div", "tl-meta");
      /* the icon: the page's own symbol, else the site's sprite file (static/icons.svg) */
      var href = doc.getElementById("i-" + kind[1]) ? "#i-" + kind[1] : sprite ? sprite + "#i-" + kind[1] : "";
      if (kind[1] && href) {
        var svg = doc.createElementNS("http://www.w3.org/2000/svg", "svg"), use = doc.createElementNS("http://www.w3.org/2000/svg", "use");
        svg.setAttribute("class", "icon"); svg.setAttribute("width", "16"); svg.setAttribute("height", "16"); svg.setAttribute("aria-hidden", "true");
        use.setAttribute("href", href); svg.appendChild(use); meta.appendChild(svg);
      }
      meta.appendChild(el("span", null, kind[0]));
      var time = el("time", null, new Date(at).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" })); time.setAttribute("datetime", at); meta.appendChild(time);
      if (row[3] > 0) meta.appendChild(el("span", "pill", "+" + row[3]));
      li.appendChild(meta);
      if (title) {
        var p = el("p", "tl-title");
        if (link) { var a = el("a", null, title); a.href = link; a.target = "_blank"; a.rel = "noopener nofollow"; p.appendChild(a); } else p.textContent = title;
        li.appendChild(p);
      }
      if (text) li.appendChild(el("div", "tl-text prose", text));  /* plain text: never parsed as HTML (WEB-57) */
      return li;
    }
    var files = {};
    function fetchNext() {
      var r = remote.shift();
      busy = true; more.disabled = true;
      if (!files[r.url]) files[r.url] = fetch(r.url).then(function (res) { return res.json(); });  /* one file per year (WEB-64) */
      return files[r.url].then(function (d) {
        var section = $("[data-month='" + r.key + "']", tl), list;
        if (!section) {
          section = el("section", "tl-month"); section.setAttribute("data-month", r.key);
          var head = el("h3", "tl-month-head"); head.appendChild(el("span", null, r.label)); head.appendChild(doc.createTextNode(" ")); head.appendChild(el("span", "muted small"));
          list = el("ol", "tl-items"); section.appendChild(head); section.appendChild(list);
          more.parentNode.insertBefore(section, empty || more);
        } else list = $(".tl-items", section);
        /* the page already shows the newest items of the month the limit cuts: both lists are
           newest first, so the file's rows past those are the missing ones */
        var have = $all(".tl-item", section).length;
        ((d.months || {})[r.key] || []).slice(have).forEach(function (row) { list.appendChild(itemOf(row, d.types || [])); });
      }).catch(function () { delete files[r.url]; remote.unshift(r); }).then(function () { busy = false; more.disabled = false; });
    }
    more.addEventListener("click", function () {
      if (busy) return;
      var t = types(), matched = months().filter(function (m) { return $all(".tl-item", m).some(function (li) { return matches(li, t); }); }).length;
      if (visible < matched) { visible++; render(); return; }
      if (remote.length) fetchNext().then(function () { visible++; render(); });
    });
    function changed() {
      try { var t = types(); if (t.length) localStorage.setItem(TYPE_KEY, JSON.stringify(t)); else localStorage.removeItem(TYPE_KEY); } catch (e) { /* private mode */ }
      visible = 1; render();
    }
    typeBoxes.forEach(function (b) { b.addEventListener("change", changed); });
    if (from) from.addEventListener("change", function () { if (to) to.min = from.value; preset.value = ""; changed(); });
    if (to) to.addEventListener("change", function () { if (from) from.max = to.value; preset.value = ""; changed(); });
    if (preset) preset.addEventListener("change", function () {
      var days = Number(preset.value);
      if (days) { var d = new Date(); to.value = isoDay(d); d.setDate(d.getDate() - days); from.value = isoDay(d); } else { from.value = ""; to.value = ""; }
      changed();
    });
    if (clear) clear.addEventListener("click", function () { typeBoxes.forEach(function (b) { b.checked = false; }); from.value = ""; to.value = ""; preset.value = ""; changed(); });
    if (typeBtn) {
      typeBtn.addEventListener("click", function (ev) { ev.stopPropagation(); typePop.hidden = !typePop.hidden; typeBtn.setAttribute("aria-expanded", String(!typePop.hidden)); });
      doc.addEventListener("click", function (ev) { if (!typePop.hidden && !typePop.contains(ev.target)) { typePop.hidden = true; typeBtn.setAttribute("aria-expanded", "false"); } });
      doc.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !typePop.hidden) { typePop.hidden = true; typeBtn.setAttribute("aria-expanded", "false"); typeBtn.focus(); } });
    }
    render();
  }

  /* Chart tooltips from SVG <title> (WEB-18, P2) */
  function initTooltips() {
    var tip = null;
    function hide() { if (tip) tip.hidden = true; }
    $all("svg [data-tip], svg rect.hit, svg.heatmap rect").forEach(function (el) {
      var t = el.querySelector("title");
      if (!t) return;
      function show(ev) {
        if (!tip) { tip = doc.createElement("div"); tip.className = "chart-tooltip"; doc.body.appendChild(tip); }
        tip.textContent = t.textContent; tip.hidden = false;
        var r = el.getBoundingClientRect();
        tip.style.left = Math.max(4, Math.min(window.innerWidth - 220, (ev && ev.clientX ? ev.clientX : r.left) + 8)) + "px";
        tip.style.top = (r.top - 32) + "px";
      }
      el.addEventListener("mousemove", show); el.addEventListener("focus", show);
      el.addEventListener("mouseleave", hide); el.addEventListener("blur", hide);
    });
  }

  /* Scroll: bottom bar hides when scrolling down, scroll-to-top button (WEB-12, P2) */
  function initScroll() {
    var nav = $(".main-nav"), top = $("[data-scroll-top]"), last = window.scrollY;
    window.addEventListener("scroll", function () {
      var y = window.scrollY;
      if (nav) nav.classList.toggle("nav-hidden", y > 50 && y > last);
      if (top) top.hidden = y <= 50;
      last = y;
    }, { passive: true });
    if (top) top.addEventListener("click", function () { window.scrollTo({ top: 0, behavior: reduced ? "auto" : "smooth" }); });
  }

  /* Achievements (WEB-43): one showcase; at md it is the sidebar, open (the stylesheet shows it
     where ::details-content is supported; this covers the other browsers) */
  function initAchievements() {
    var a = $("[data-achievements]");
    if (a && window.matchMedia && window.matchMedia("(min-width: 768px)").matches) a.open = true;
  }
  function init() {
    initTheme(); updateTimes(); setInterval(updateTimes, 60000);
    initLeaderboard(); initPeople(); initPeopleSearch(); initHeatmaps(); recent(); initHeatmapKeys(); initTimeline(); initAchievements(); initTooltips(); initScroll();
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init); else init();
})();
