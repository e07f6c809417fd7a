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

  /* Leaderboard search and role filter (WEB-32) */
  function initLeaderboard() {
    var box = $("[data-leaderboard]");
    if (!box) return;
    var filters = $("[data-filters]", box), table = $("#lb-main");
    if (!filters || !table) return;
    filters.hidden = false;
    var rows = $all("tr[data-row]", table), search = $("[data-search]", filters);
    var roleBtn = $("[data-role-button]", filters), pop = $("[data-role-popover]", filters);
    var roleBoxes = $all("[data-role-option]", filters), roleCount = $("[data-role-count]", filters);
    var count = $("[data-count]", box), noMatch = $("[data-no-match]", box);
    var total = rows.length;
    function selectedRoles() { return roleBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }); }
    function apply(sync) {
      var q = (search.value || "").trim().toLowerCase();
      var roles = selectedRoles();
      var subset = roles.length > 0 && roles.length < roleBoxes.length;
      var rank = 0, shown = 0;
      rows.forEach(function (r) {
        var roleOk = !subset || roles.indexOf(r.getAttribute("data-role")) >= 0;
        if (roleOk) rank++;
        var textOk = !q || r.getAttribute("data-name").indexOf(q) >= 0 || r.getAttribute("data-username").indexOf(q) >= 0;
        var visible = roleOk && textOk;
        r.hidden = !visible;
        if (visible) shown++;
        var num = $("[data-rank-num]", r), medal = $(".medal", r), change = $("[data-rank-change]", r);
        var newRank = subset ? rank : Number(r.getAttribute("data-rank"));
        if (num) { num.textContent = String(newRank); num.hidden = !subset && newRank <= 3 && !!medal; }
        if (medal) medal.hidden = subset;
        if (change) change.hidden = subset;
      });
      if (count) count.textContent = shown === total ? String(total) : shown + " of " + total;
      if (noMatch) noMatch.hidden = shown !== 0;
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
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) search.value = params.get("q");
    if (params.get("roles")) {
      var wanted = params.get("roles").split(",");
      roleBoxes.forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
    }
    search.addEventListener("input", function () { apply(true); });
    roleBoxes.forEach(function (b) { b.addEventListener("change", function () { apply(true); }); });
    if (roleBtn) roleBtn.addEventListener("click", function (ev) {
      ev.stopPropagation();
      pop.hidden = !pop.hidden;
      roleBtn.setAttribute("aria-expanded", String(!pop.hidden));
    });
    doc.addEventListener("click", function (ev) { if (pop && !pop.hidden && !pop.contains(ev.target)) { pop.hidden = true; roleBtn.setAttribute("aria-expanded", "false"); } });
    $("[data-clear]", filters).addEventListener("click", function () {
      search.value = ""; roleBoxes.forEach(function (b) { b.checked = true; }); apply(true);
    });
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
    buttons.forEach(function (b) { b.addEventListener("click", function () { show(b.getAttribute("data-year")); }); });
    show(buttons[0].getAttribute("data-year"));
  }

  /* Timeline: one month at a time with "Load More" (WEB-42) */
  function initTimeline() {
    var tl = $("[data-timeline]");
    if (!tl) return;
    var months = $all("[data-month]", tl), more = $("[data-load-more]", tl), visible = 1;
    if (months.length <= 1 || !more) return;
    function render() {
      months.forEach(function (m, i) { m.hidden = i >= visible; });
      if (visible < months.length) {
        more.hidden = false;
        more.textContent = "Load More (" + $(".tl-month-head span", months[visible]).textContent + ")";
      } else more.hidden = true;
    }
    more.addEventListener("click", function () { visible++; render(); });
    render();
  }

  /* Chart tooltips from SVG <title> (WEB-18, P2) */
  function initTooltips() {
    var tip = null;
    function hide() { if (tip) tip.hidden = true; }
    $all("svg [data-tip], svg rect.hit").forEach(function (el) {
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

  function init() {
    initTheme(); updateTimes(); setInterval(updateTimes, 60000);
    initLeaderboard(); initPeople(); initHeatmaps(); initTimeline(); initTooltips(); initScroll();
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init); else init();
})();
