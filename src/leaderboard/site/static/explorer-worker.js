/* Data Explorer worker (WEB-47, WEB-49). Hand-written; the pinned sql.js-httpvfs files are
 * loaded unmodified.
 *
 * explorer.js starts this script as the library's worker, with a JSON fragment in its URL:
 * {"worker": <URL of the pinned sqlite.worker.js>, "chunked": null | {"urlPrefix",
 * "serverChunkSize", "suffixLength"}}. For a chunked database it installs, before loading the
 * library, a same-interface XMLHttpRequest for the library's lazy file.
 *
 * Why: in chunked mode the library asks the chunk holding the first byte of a read for the
 * whole range, and its read-ahead grows to 5 MiB (a default it does not let us configure), so a
 * read running past a chunk's end would come back short ("doXHR failed"). The chunk files are
 * exactly `serverChunkSize` bytes (their concatenation is the database), so such a read is
 * answered here from the consecutive chunks it covers and handed back as one 206 response.
 * Every other request (asynchronous ones, non-GET, no Range, a range inside one chunk, other
 * URLs) goes to the browser's XMLHttpRequest untouched.
 */
(function () {
  "use strict";

  var settings = {};
  try {
    settings = JSON.parse(decodeURIComponent(self.location.hash.slice(1)) || "{}");
  } catch (e) {
    throw new Error("explorer-worker.js: bad settings in the URL fragment");
  }
  if (!settings.worker) throw new Error("explorer-worker.js: no library worker URL given");
  var chunked = settings.chunked;

  if (chunked) {
    var Native = self.XMLHttpRequest;
    var size = chunked.serverChunkSize;
    var digits = chunked.suffixLength;
    var prefix = chunked.urlPrefix;

    // The chunk index and the query (cache bust) of a chunk URL, or null for any other URL.
    var parseChunkUrl = function (url) {
      if (typeof url !== "string" || url.indexOf(prefix) !== 0) return null;
      var match = /^(\d+)(\?.*)?$/.exec(url.slice(prefix.length));
      return match ? { index: parseInt(match[1], 10), query: match[2] || "" } : null;
    };

    var chunkUrl = function (index, query) {
      var number = String(index);
      while (number.length < digits) number = "0" + number;
      return prefix + number + query;
    };

    // [{url, from, to}] of a range `bytes=a-b` asked of chunk `index`: more than one piece
    // only when it runs past that chunk's end (a and b are offsets into that chunk).
    var pieces = function (target, range) {
      var match = /^bytes=(\d+)-(\d+)$/.exec(range || "");
      if (!target || !match) return null;
      var from = parseInt(match[1], 10);
      var to = parseInt(match[2], 10);
      if (from >= size || to < size) return null;
      var out = [];
      var index = target.index;
      while (to >= 0) {
        out.push({ url: chunkUrl(index, target.query), from: from, to: Math.min(to, size - 1) });
        to -= size;
        from = 0;
        index += 1;
      }
      return out;
    };

    // One piece, synchronously; a server ignoring Range (200, whole chunk) is sliced here.
    var fetchPiece = function (piece, mime) {
      var request = new Native();
      request.open("GET", piece.url, false);
      request.setRequestHeader("Range", "bytes=" + piece.from + "-" + piece.to);
      request.responseType = "arraybuffer";
      if (mime && request.overrideMimeType) request.overrideMimeType(mime);
      request.send(null);
      var body = request.response;
      if (request.status === 200 && body) body = body.slice(piece.from, piece.to + 1);
      return { request: request, body: body };
    };

    class ChunkedXMLHttpRequest extends Native {
      constructor() {
        super();
        this._method = "";
        this._url = "";
        this._sync = false;
        this._range = null;
        this._mime = null;
        this._stitched = null; // {status, statusText, response, headers} of a stitched read
      }

      open(method, url, async) {
        this._method = String(method).toUpperCase();
        this._url = String(url);
        this._sync = arguments.length > 2 && !async;
        this._range = null;
        this._stitched = null;
        return super.open.apply(this, arguments);
      }

      setRequestHeader(name, value) {
        if (String(name).toLowerCase() === "range") this._range = String(value).trim();
        return super.setRequestHeader(name, value);
      }

      overrideMimeType(mime) {
        this._mime = mime;
        return super.overrideMimeType(mime);
      }

      send(body) {
        var plan = this._method === "GET" && this._sync ? pieces(parseChunkUrl(this._url), this._range) : null;
        if (!plan) return super.send(body);
        var parts = [];
        var total = 0;
        var first = null;
        for (var i = 0; i < plan.length; i++) {
          var got = fetchPiece(plan[i], this._mime);
          var ok = (got.request.status === 206 || got.request.status === 200) && got.body;
          if (!first) first = got.request;
          if (!ok) {
            // the library reports the status ("Couldn't load <url>. Status: <n>")
            this._stitched = { status: got.request.status, statusText: got.request.statusText, response: null, headers: {} };
            return;
          }
          parts.push(new Uint8Array(got.body));
          total += got.body.byteLength;
        }
        var joined = new Uint8Array(total);
        var offset = 0;
        parts.forEach(function (part) {
          joined.set(part, offset);
          offset += part.length;
        });
        var start = plan[0].from;
        this._stitched = {
          status: 206,
          statusText: "Partial Content",
          response: joined.buffer,
          headers: {
            "accept-ranges": "bytes",
            "content-length": String(total),
            // offsets as the library asked them: into the first chunk, running past its end
            "content-range": "bytes " + start + "-" + (start + total - 1) + "/*",
            "content-type": first.getResponseHeader("Content-Type") || "application/octet-stream",
          },
        };
      }

      get readyState() { return this._stitched ? 4 : super.readyState; }
      get status() { return this._stitched ? this._stitched.status : super.status; }
      get statusText() { return this._stitched ? this._stitched.statusText : super.statusText; }
      get response() { return this._stitched ? this._stitched.response : super.response; }
      get responseURL() { return this._stitched ? this._url : super.responseURL; }

      getResponseHeader(name) {
        if (!this._stitched) return super.getResponseHeader(name);
        var value = this._stitched.headers[String(name).toLowerCase()];
        return value === undefined ? null : value;
      }

      getAllResponseHeaders() {
        if (!this._stitched) return super.getAllResponseHeaders();
        var headers = this._stitched.headers;
        return Object.keys(headers).sort().map(function (key) {
          return key + ": " + headers[key] + "\r\n";
        }).join("");
      }
    }

    self.XMLHttpRequest = ChunkedXMLHttpRequest;
  }

  importScripts(settings.worker);
})();
