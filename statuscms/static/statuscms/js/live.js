/*
 * Live updates of a status page.
 *
 * The page is complete without this script. With it, the page opens a
 * WebSocket at /ws/live/<path of the page>. The server sends
 * {"type": "hello", "version": V} on connect and {"type": "changed",
 * "version": V} after each change. On a version the page does not show yet,
 * the script fetches the page again and swaps the elements marked with
 * data-live-region, keeping focus and open <details>, and announces the
 * change through a polite live region. Protocol: docs/live-updates.md.
 */
(function () {
  "use strict";

  var REGION_ATTRIBUTE = "data-live-region";
  // Reconnect delays: exponential from BASE_DELAY_MS, capped at
  // MAX_DELAY_MS, with jitter so that thousands of visitors who lost the
  // server together do not come back together.
  var BASE_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  // A connection that stays open this long resets the delay to the base.
  var STABLE_AFTER_MS = 5000;
  // Close codes after which a reconnect would be refused again: the page
  // is not served at this address, or the visitor may not read it.
  var FINAL_CLOSE_CODES = [4403, 4404];
  var FOCUSABLE =
    "a[href], button, input, select, textarea, summary, [tabindex]";

  /*
   * The delay before reconnect attempt `attempt` (0 for the first), in ms:
   * half of the capped exponential delay, plus a random part of the other
   * half. `random` is a number in [0, 1), Math.random() by default.
   */
  function backoffDelay(attempt, random) {
    var exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * Math.pow(2, attempt));
    var draw = random === undefined ? Math.random() : random;
    return exponential / 2 + draw * (exponential / 2);
  }

  function socketUrl(location) {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + location.host + "/ws/live" + location.pathname;
  }

  /* Strip the weak marker and quotes, so an ETag and a version compare. */
  function normalizeVersion(version) {
    if (typeof version !== "string" || version === "") {
      return null;
    }
    return version.replace(/^W\//, "").replace(/^"|"$/g, "");
  }

  function regionsByName(root) {
    var regions = new Map();
    root.querySelectorAll("[" + REGION_ATTRIBUTE + "]").forEach(function (element) {
      var name = element.getAttribute(REGION_ATTRIBUTE);
      if (!regions.has(name)) {
        regions.set(name, []);
      }
      regions.get(name).push(element);
    });
    return regions;
  }

  /* A key that finds the "same" <details> after its region is replaced. */
  function detailsKey(details, index) {
    if (details.id) {
      return "id:" + details.id;
    }
    var summary = details.querySelector("summary");
    if (summary) {
      return "summary:" + summary.textContent.trim();
    }
    return "index:" + index;
  }

  function rememberState(region) {
    var open = new Map();
    region.querySelectorAll("details").forEach(function (details, index) {
      open.set(detailsKey(details, index), details.open);
    });
    var focus = null;
    var active = document.activeElement;
    if (active && active !== region && region.contains(active)) {
      focus = active.id
        ? { id: active.id }
        : { index: Array.prototype.indexOf.call(region.querySelectorAll(FOCUSABLE), active) };
    }
    return { open: open, focus: focus };
  }

  function restoreState(region, state) {
    region.querySelectorAll("details").forEach(function (details, index) {
      var key = detailsKey(details, index);
      if (state.open.has(key)) {
        details.open = state.open.get(key);
      }
    });
    if (state.focus === null) {
      return;
    }
    var target = null;
    if (state.focus.id) {
      target = document.getElementById(state.focus.id);
    } else if (state.focus.index >= 0) {
      target = region.querySelectorAll(FOCUSABLE)[state.focus.index] || null;
    }
    if (target && region.contains(target)) {
      target.focus({ preventScroll: true });
    }
  }

  function copyAttributes(from, to) {
    Array.prototype.slice.call(to.attributes).forEach(function (attribute) {
      if (!from.hasAttribute(attribute.name)) {
        to.removeAttribute(attribute.name);
      }
    });
    Array.prototype.forEach.call(from.attributes, function (attribute) {
      if (to.getAttribute(attribute.name) !== attribute.value) {
        to.setAttribute(attribute.name, attribute.value);
      }
    });
  }

  /*
   * Replace the content of each live region with that of the region of
   * the same name and position in `fresh`. The wrapper element stays, so
   * references to it and its place in the page survive. Returns whether
   * anything changed.
   */
  function swapRegions(fresh) {
    var current = regionsByName(document);
    var incoming = regionsByName(fresh);
    var changed = false;
    current.forEach(function (elements, name) {
      var replacements = incoming.get(name) || [];
      elements.forEach(function (element, position) {
        var replacement = replacements[position];
        if (!replacement) {
          return;
        }
        if (
          element.innerHTML === replacement.innerHTML &&
          element.outerHTML === replacement.outerHTML
        ) {
          return;
        }
        var state = rememberState(element);
        copyAttributes(replacement, element);
        element.replaceChildren.apply(
          element,
          Array.prototype.map.call(replacement.childNodes, function (node) {
            return document.importNode(node, true);
          })
        );
        restoreState(element, state);
        changed = true;
      });
    });
    if (fresh.title && fresh.title !== document.title) {
      document.title = fresh.title;
      changed = true;
    }
    return changed;
  }

  function createAnnouncer() {
    var announcer = document.createElement("div");
    announcer.setAttribute("role", "status");
    announcer.setAttribute("aria-live", "polite");
    announcer.setAttribute("data-live-announcer", "");
    // Visually hidden, but read by screen readers.
    var style = announcer.style;
    style.position = "absolute";
    style.width = "1px";
    style.height = "1px";
    style.margin = "-1px";
    style.padding = "0";
    style.overflow = "hidden";
    style.clip = "rect(0 0 0 0)";
    style.whiteSpace = "nowrap";
    style.border = "0";
    document.body.appendChild(announcer);
    return announcer;
  }

  function LivePage(script) {
    this.updatedText = script.getAttribute("data-updated-text") || "";
    this.shown = null;
    this.pending = null;
    this.fetching = false;
    this.connections = 0;
    this.attempt = 0;
    this.socket = null;
    this.stableTimer = null;
    this.retryTimer = null;
    this.stopped = false;
    this.announcer = createAnnouncer();
  }

  LivePage.prototype.setState = function (state) {
    document.documentElement.setAttribute("data-live", state);
  };

  LivePage.prototype.connect = function () {
    var live = this;
    this.retryTimer = null;
    this.setState("connecting");
    var socket = new WebSocket(socketUrl(window.location));
    this.socket = socket;
    socket.addEventListener("open", function () {
      live.setState("open");
      live.stableTimer = window.setTimeout(function () {
        live.attempt = 0;
      }, STABLE_AFTER_MS);
    });
    socket.addEventListener("message", function (event) {
      live.receive(event.data);
    });
    socket.addEventListener("close", function (event) {
      live.closed(socket, event.code);
    });
  };

  LivePage.prototype.receive = function (data) {
    var message;
    try {
      message = JSON.parse(data);
    } catch (error) {
      return;
    }
    var version = normalizeVersion(message.version);
    if (message.type === "hello") {
      this.connections += 1;
      if (this.connections === 1) {
        // The page was just loaded: take its version as the one shown.
        if (this.shown === null) {
          this.shown = version;
        }
      } else if (version === null || version !== this.shown) {
        // A change may have been missed while the socket was closed.
        this.refresh(version);
      }
    } else if (message.type === "changed") {
      if (version === null || version !== this.shown) {
        this.refresh(version);
      }
    }
  };

  LivePage.prototype.closed = function (socket, code) {
    if (socket !== this.socket) {
      return;
    }
    window.clearTimeout(this.stableTimer);
    this.socket = null;
    if (this.stopped || FINAL_CLOSE_CODES.indexOf(code) !== -1) {
      this.stopped = true;
      this.setState("closed");
      return;
    }
    this.setState("waiting");
    this.scheduleReconnect();
  };

  LivePage.prototype.scheduleReconnect = function () {
    if (this.retryTimer !== null) {
      return;
    }
    var delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.retryTimer = window.setTimeout(this.connect.bind(this), delay);
  };

  /* Reconnect at once, for example when the browser is back online. */
  LivePage.prototype.reconnectNow = function () {
    if (this.stopped || this.socket !== null) {
      return;
    }
    window.clearTimeout(this.retryTimer);
    this.connect();
  };

  /*
   * Fetch the page and swap its regions. While one fetch runs, later
   * versions wait; only the newest is fetched after it.
   */
  LivePage.prototype.refresh = function (version) {
    if (this.fetching) {
      this.pending = { version: version };
      return;
    }
    this.fetching = true;
    var live = this;
    window
      .fetch(window.location.pathname, {
        credentials: "same-origin",
        cache: "no-cache",
        headers: { Accept: "text/html" },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (fresh.querySelector("[" + REGION_ATTRIBUTE + "]") === null) {
          // Not the page itself, such as a password form: keep what is shown.
          return;
        }
        if (swapRegions(fresh)) {
          live.announce();
        }
        live.shown = version;
      })
      .catch(function (error) {
        // The next message or reconnect fetches again.
        window.console.warn("Live update failed:", error);
      })
      .then(function () {
        live.fetching = false;
        var next = live.pending;
        live.pending = null;
        if (next !== null && (next.version === null || next.version !== live.shown)) {
          live.refresh(next.version);
        }
      });
  };

  LivePage.prototype.announce = function () {
    var banner = document.querySelector("[" + REGION_ATTRIBUTE + '="banner"]');
    var status = banner ? banner.textContent.replace(/\s+/g, " ").trim() : "";
    this.announcer.textContent = [this.updatedText, status].join(" ").trim();
  };

  function start() {
    var script = document.querySelector("script[data-live-updates]");
    if (!script || !("WebSocket" in window) || !("fetch" in window)) {
      return;
    }
    if (document.querySelector("[" + REGION_ATTRIBUTE + "]") === null) {
      return;
    }
    var live = new LivePage(script);
    window.statusLive.page = live;
    window.addEventListener("online", function () {
      live.reconnectNow();
    });
    live.connect();
  }

  window.statusLive = {
    backoffDelay: backoffDelay,
    normalizeVersion: normalizeVersion,
    socketUrl: socketUrl,
    page: null,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
