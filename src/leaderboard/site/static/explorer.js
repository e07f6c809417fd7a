/* Data Explorer REPL (WEB-49, NEW-20). Hand-written, framework-free.
 *
 * Loads the vendored sql.js-httpvfs UMD bundle, opens the public DB over HTTP Range requests in a
 * worker, and runs read-only SQL typed by the visitor. Everything here only enhances the page:
 * the schema listing and the download link are server-rendered.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("explorer-config");
  var root = document.querySelector("[data-explorer]");
  if (!configNode || !root) return;
  var config = JSON.parse(configNode.textContent || "{}");
  if (!config.available) return;

  var editor = root.querySelector("[data-sql-editor]");
  var runButton = root.querySelector("[data-run]");
  var results = root.querySelector("[data-results]");
  var loading = root.querySelector("[data-explorer-loading]");
  var loadingMessage = root.querySelector("[data-loading-message]");
  var loadError = root.querySelector("[data-explorer-load-error]");
  var chips = Array.prototype.slice.call(root.querySelectorAll("[data-example]"));
  var shortcut = root.querySelector("[data-shortcut]");
  var copyButton = root.querySelector("[data-copy-link]");
  var copyStatus = root.querySelector("[data-copy-status]");
  var historyToggle = root.querySelector("[data-history-toggle]");
  var historyMenu = root.querySelector("[data-history-menu]");

  var worker = null;
  var running = false;
  var escapeArmed = false;
  var ROW_LIMIT = config.rowLimit || 1000;

  root.hidden = false;

  // -- small helpers ----------------------------------------------------------------------------

  function absolute(url) {
    return new URL(url, window.location.href).href;
  }

  function formatBytes(n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
    return (n / (1024 * 1024)).toFixed(1) + " MB";
  }

  function formatCount(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function plural(n, word) {
    return formatCount(n) + " " + word + (n === 1 ? "" : "s");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isApple() {
    var platform = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "";
    return /Mac|iPhone|iPad|iPod/i.test(platform);
  }

  // base64url of the UTF-8 bytes of a string, and back (shareable links, NEW-20).
  function encodeQuery(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeQuery(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var binary = atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  }

  // -- editor -----------------------------------------------------------------------------------

  function autoGrow() {
    editor.style.height = "auto";
    editor.style.height = Math.max(120, editor.scrollHeight + 2) + "px";
  }

  function syncControls() {
    var text = editor.value;
    runButton.disabled = running || !worker || text.trim() === "";
    runButton.textContent = running ? "Running..." : "Run";
    chips.forEach(function (chip) {
      chip.setAttribute("aria-pressed", chip.getAttribute("data-example") === text ? "true" : "false");
    });
  }

  function setQuery(text) {
    editor.value = text;
    autoGrow();
    syncControls();
  }

  editor.addEventListener("input", function () {
    autoGrow();
    syncControls();
  });

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      run();
      return;
    }
    if (event.key === "Escape") {
      escapeArmed = true;
      return;
    }
    if (event.key === "Tab" && !event.shiftKey && !escapeArmed) {
      event.preventDefault();
      var start = editor.selectionStart;
      var end = editor.selectionEnd;
      editor.value = editor.value.slice(0, start) + "  " + editor.value.slice(end);
      editor.selectionStart = editor.selectionEnd = start + 2;
      syncControls();
      return;
    }
    escapeArmed = false;
  });

  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      setQuery(chip.getAttribute("data-example"));
      editor.focus();
    });
  });

  runButton.addEventListener("click", function () {
    run();
  });

  if (shortcut) shortcut.textContent = isApple() ? "\u2318+Enter" : "Ctrl+Enter";

  // -- history (NEW-20) -------------------------------------------------------------------------

  function readHistory() {
    try {
      var list = JSON.parse(window.localStorage.getItem(config.historyKey) || "[]");
      return Array.isArray(list) ? list.filter(function (q) { return typeof q === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function remember(sql) {
    var list = readHistory().filter(function (q) { return q !== sql; });
    list.unshift(sql);
    try {
      window.localStorage.setItem(config.historyKey, JSON.stringify(list.slice(0, config.historySize || 20)));
    } catch (e) {
      /* storage may be disabled; history is a convenience */
    }
  }

  function renderHistory() {
    historyMenu.textContent = "";
    var list = readHistory();
    if (!list.length) {
      historyMenu.appendChild(el("li", "muted", "No queries yet"));
      return;
    }
    list.forEach(function (sql) {
      var item = el("li");
      var button = el("button", "", sql.replace(/\s+/g, " "));
      button.type = "button";
      button.title = sql;
      button.setAttribute("data-history-item", "");
      button.addEventListener("click", function () {
        setQuery(sql);
        closeHistory();
        editor.focus();
      });
      item.appendChild(button);
      historyMenu.appendChild(item);
    });
  }

  function closeHistory() {
    historyMenu.hidden = true;
    historyToggle.setAttribute("aria-expanded", "false");
  }

  historyToggle.addEventListener("click", function () {
    if (historyMenu.hidden) {
      renderHistory();
      historyMenu.hidden = false;
      historyToggle.setAttribute("aria-expanded", "true");
    } else {
      closeHistory();
    }
  });

  document.addEventListener("click", function (event) {
    if (!historyMenu.hidden && !historyMenu.parentNode.contains(event.target)) closeHistory();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !historyMenu.hidden) closeHistory();
  });

  // -- shareable links (NEW-20) -----------------------------------------------------------------

  copyButton.addEventListener("click", function () {
    var link = window.location.href.split("#")[0] + "#sql=" + encodeQuery(editor.value);
    window.history.replaceState(null, "", link);
    function done(message) {
      copyStatus.textContent = message;
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(
        function () { done("Link copied"); },
        function () { done("Link in the address bar"); }
      );
    } else {
      done("Link in the address bar");
    }
  });

  function initialQuery() {
    var match = /(?:^#|&)sql=([^&]*)/.exec(window.location.hash);
    if (match) {
      try {
        return decodeQuery(match[1]);
      } catch (e) {
        /* a broken link falls back to the first example */
      }
    }
    return chips.length ? chips[0].getAttribute("data-example") : "";
  }

  // -- results ----------------------------------------------------------------------------------

  function csvField(value) {
    if (value === null || value === undefined) return "";
    var text = value instanceof Uint8Array ? hex(value) : String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function hex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function toCsv(result) {
    var lines = [result.columns.map(csvField).join(",")];
    result.values.forEach(function (row) {
      lines.push(row.map(csvField).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  function downloadCsv(result, index) {
    var blob = new Blob([toCsv(result)], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = index === 0 ? "query-result.csv" : "query-result-" + (index + 1) + ".csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function cell(value) {
    var td = el("td");
    if (value === null || value === undefined) {
      td.className = "null";
      td.textContent = "NULL";
    } else if (typeof value === "number" || typeof value === "bigint") {
      td.className = "num";
      td.textContent = String(value);
    } else {
      var text = value instanceof Uint8Array ? "x'" + hex(value) + "'" : String(value);
      td.textContent = text;
      td.title = text;
    }
    return td;
  }

  function renderResult(result, index) {
    var block = el("div", "explorer-result");
    if (!result.columns || !result.columns.length) {
      block.appendChild(el("p", "muted", "Query returned no columns."));
      return block;
    }
    var total = result.values.length;
    if (total > ROW_LIMIT) {
      block.appendChild(el("p", "explorer-stats", "Showing the first " + formatCount(ROW_LIMIT) + " of " + formatCount(total) + " rows"));
    }
    var wrap = el("div", "explorer-table-wrap");
    var table = el("table", "explorer-table");
    var head = el("thead");
    var headRow = el("tr");
    headRow.appendChild(el("th", "", "#"));
    result.columns.forEach(function (name) {
      headRow.appendChild(el("th", "", name));
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = el("tbody");
    var shown = Math.min(total, ROW_LIMIT);
    for (var r = 0; r < shown; r++) {
      var tr = el("tr");
      tr.appendChild(el("td", "num muted", String(r + 1)));
      result.values[r].forEach(function (value) {
        tr.appendChild(cell(value));
      });
      body.appendChild(tr);
    }
    table.appendChild(body);
    wrap.appendChild(table);
    block.appendChild(wrap);
    var footer = el("div", "explorer-toolbar explorer-footer");
    footer.appendChild(el("span", "", plural(total, "row") + " \u00b7 " + plural(result.columns.length, "column")));
    var csv = el("button", "button", "Download CSV");
    csv.type = "button";
    csv.setAttribute("data-download-csv", "");
    csv.addEventListener("click", function () { downloadCsv(result, index); });
    footer.appendChild(csv);
    block.appendChild(footer);
    return block;
  }

  function showError(message) {
    results.textContent = "";
    var box = el("div", "explorer-error");
    box.setAttribute("role", "alert");
    box.setAttribute("data-query-error", "");
    box.appendChild(el("strong", "", "Query failed"));
    box.appendChild(el("pre", "", message));
    results.appendChild(box);
  }

  // PRAGMA query_only = 1 is set at start; refuse attempts to switch it off again.
  function forbidden(sql) {
    return /\bquery_only\b/i.test(sql) ? "The database is read-only: query_only cannot be changed." : null;
  }

  function run() {
    var sql = editor.value;
    if (running || !worker || sql.trim() === "") return;
    var refusal = forbidden(sql);
    if (refusal) {
      showError(refusal);
      return;
    }
    running = true;
    syncControls();
    remember(sql);
    var started = performance.now();
    worker.db.exec(sql).then(
      function (sets) {
        var elapsed = performance.now() - started;
        return worker.worker.getStats().then(function (stats) {
          results.textContent = "";
          if (!sets || !sets.length) {
            results.appendChild(el("p", "explorer-stats", "Query executed successfully. No rows returned. (" + elapsed.toFixed(1) + " ms)"));
            return;
          }
          var line = elapsed.toFixed(1) + " ms \u00b7 " + formatBytes(stats ? stats.totalFetchedBytes : 0) +
            " fetched \u00b7 " + plural(stats ? stats.totalRequests : 0, "request");
          var statsNode = el("p", "explorer-stats", line);
          statsNode.setAttribute("data-stats", "");
          if (stats) {
            statsNode.setAttribute("data-fetched-bytes", String(stats.totalFetchedBytes));
            statsNode.setAttribute("data-total-bytes", String(stats.totalBytes));
          }
          results.appendChild(statsNode);
          sets.forEach(function (set, index) {
            results.appendChild(renderResult(set, index));
          });
        });
      },
      function (error) {
        showError(error && error.message ? error.message : String(error));
      }
    ).then(function () {
      running = false;
      syncControls();
    });
  }

  // -- download of a chunked database (WEB-47) ---------------------------------------------------

  // A static host has the chunks, not `data.db` (only `leaderboard serve` joins them at that
  // URL), so the page's download link fetches the chunks and saves their concatenation, which
  // is the database byte for byte. The <noscript> link keeps the plain URL.
  var downloadLink = document.querySelector("[data-explorer-download]");
  var downloadLabel = downloadLink ? downloadLink.textContent : "";
  var downloading = false;

  function chunkUrls() {
    var c = config.chunked;
    var urls = [];
    for (var i = 0; i * c.serverChunkSize < c.databaseLengthBytes; i++) {
      var number = String(i);
      while (number.length < c.suffixLength) number = "0" + number;
      urls.push(absolute(c.urlPrefix) + number + "?cb=" + config.cacheBust);
    }
    return urls;
  }

  function downloadChunks() {
    var urls = chunkUrls();
    var parts = [];
    downloading = true;
    function next(i) {
      if (i === urls.length) return Promise.resolve();
      downloadLink.textContent = "Downloading part " + (i + 1) + " of " + urls.length + "\u2026";
      return fetch(urls[i]).then(function (response) {
        if (!response.ok) throw new Error("Could not load " + urls[i] + ": " + response.status);
        return response.blob();
      }).then(function (blob) {
        parts.push(blob);
        return next(i + 1);
      });
    }
    next(0).then(function () {
      var whole = new Blob(parts, { type: "application/vnd.sqlite3" });
      if (whole.size !== config.chunked.databaseLengthBytes) throw new Error("The parts do not add up to the database");
      var link = document.createElement("a");
      link.href = URL.createObjectURL(whole);
      link.download = config.sourceUrl.split("/").pop() || "data.db";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
      downloadLink.textContent = downloadLabel;
    }).catch(function (error) {
      downloadLink.textContent = downloadLabel + " \u2014 failed: " + (error && error.message ? error.message : String(error));
    }).then(function () {
      downloading = false;
    });
  }

  if (downloadLink && config.chunked) {
    downloadLink.addEventListener("click", function (event) {
      event.preventDefault();
      if (!downloading) downloadChunks();
    });
  }

  // -- loading ----------------------------------------------------------------------------------

  var messages = [
    "Initializing WASM engine\u2026",
    "Loading SQLite worker\u2026",
    "Connecting to database\u2026",
    "Preparing query interface\u2026",
  ];
  var step = 0;
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var ticker = reduced ? null : setInterval(function () {
    step = (step + 1) % messages.length;
    loadingMessage.textContent = messages[step];
  }, 2000);

  function loadLibrary() {
    return new Promise(function (resolve, reject) {
      if (window.createDbWorker) {
        resolve(window.createDbWorker);
        return;
      }
      var script = document.createElement("script");
      script.src = config.libraryUrl;
      script.onload = function () {
        if (window.createDbWorker) resolve(window.createDbWorker);
        else reject(new Error("sql.js-httpvfs did not define createDbWorker"));
      };
      script.onerror = function () { reject(new Error("Could not load " + config.libraryUrl)); };
      document.head.appendChild(script);
    });
  }

  // The library's worker is started from our explorer-worker.js, which loads the pinned
  // sqlite.worker.js unmodified; for a chunked database it first lets the worker's reads run
  // across chunk boundaries (WEB-47). Its settings travel in the URL's fragment, which is not
  // sent to the server and leaves the script's cache entry alone.
  function workerUrl() {
    var settings = {
      worker: absolute(config.libraryWorkerUrl),
      chunked: config.chunked ? {
        urlPrefix: absolute(config.chunked.urlPrefix),
        serverChunkSize: config.chunked.serverChunkSize,
        suffixLength: config.chunked.suffixLength,
      } : null,
    };
    return absolute(config.workerUrl) + "#" + encodeURIComponent(JSON.stringify(settings));
  }

  setQuery(initialQuery());

  loadLibrary()
    .then(function (createDbWorker) {
      return createDbWorker(
        [{
          from: "inline",
          // WEB-47: a large public DB is shipped as numbered chunks (serverMode "chunked").
          config: config.chunked ? {
            serverMode: "chunked",
            requestChunkSize: config.chunked.requestChunkSize,
            databaseLengthBytes: config.chunked.databaseLengthBytes,
            serverChunkSize: config.chunked.serverChunkSize,
            urlPrefix: absolute(config.chunked.urlPrefix),
            suffixLength: config.chunked.suffixLength,
            cacheBust: config.cacheBust,
          } : {
            serverMode: "full",
            requestChunkSize: config.requestChunkSize,
            url: absolute(config.sourceUrl),
            cacheBust: config.cacheBust,
          },
        }],
        workerUrl(),
        absolute(config.wasmUrl),
        config.maxBytesToRead
      );
    })
    .then(function (created) {
      return created.db.exec("PRAGMA query_only = 1").then(function () { return created; });
    })
    .then(function (created) {
      worker = created;
      if (ticker) clearInterval(ticker);
      loading.hidden = true;
      root.setAttribute("data-ready", "");
      syncControls();
    })
    .catch(function (error) {
      if (ticker) clearInterval(ticker);
      loading.hidden = true;
      loadError.hidden = false;
      root.querySelector("[data-load-error-message]").textContent = error && error.message ? error.message : String(error);
    });
})();
