/*
 * Show each time of the page in the visitor's own time zone on hover.
 *
 * The page writes every time in the status page's zone, with the offset,
 * inside <time datetime="...Z">. This script gives each such element a
 * title with the same instant in the browser's zone, formatted by
 * Intl.DateTimeFormat in the page's language and followed by the zone's
 * name. Without JavaScript the page is complete and nothing changes.
 */
(function () {
    "use strict";

    var UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/;

    // The page's language, in the browser's own region when they share a
    // language (en-GB for "en"), so dates follow the visitor's habits.
    function locale() {
        var page = (document.documentElement.lang || "").toLowerCase();
        var browser = navigator.language || "";
        if (page && browser.toLowerCase().split("-")[0] === page.split("-")[0]) {
            return browser;
        }
        return page || undefined;
    }

    function formatter() {
        var language = locale();
        var options = {
            year: "numeric",
            month: "long",
            day: "numeric",
            hour: "2-digit",
            minute: "2-digit",
            timeZoneName: "short"
        };
        try {
            return new Intl.DateTimeFormat(language, options);
        } catch (error) {
            return new Intl.DateTimeFormat(undefined, options);
        }
    }

    function zoneName() {
        try {
            return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
        } catch (error) {
            return "";
        }
    }

    function addLocalTitles(root) {
        var format = formatter();
        var zone = zoneName();
        var times = root.querySelectorAll("time[datetime]");
        for (var i = 0; i < times.length; i++) {
            var value = times[i].getAttribute("datetime");
            if (!UTC_INSTANT.test(value)) {
                continue;
            }
            var instant = new Date(value);
            if (isNaN(instant.getTime())) {
                continue;
            }
            var text = format.format(instant);
            times[i].title = zone ? text + " (" + zone + ")" : text;
            times[i].classList.add("local-time");
        }
    }

    function start() {
        addLocalTitles(document);
        // Live updates swap parts of the page and bring new <time> elements.
        if (typeof MutationObserver === "function") {
            new MutationObserver(function (records) {
                for (var i = 0; i < records.length; i++) {
                    if (records[i].addedNodes.length) {
                        addLocalTitles(document);
                        return;
                    }
                }
            }).observe(document.body, { childList: true, subtree: true });
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
