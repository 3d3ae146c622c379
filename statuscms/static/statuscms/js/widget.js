/*
 * Status widget: replaces this script tag's position with an iframe of a
 * status page's embed/ address. Usage:
 *
 *   <script src="https://status.example.com/static/statuscms/js/widget.js"
 *           data-page="https://status.example.com/" async></script>
 *
 * data-page is the status page's address; without it, the site root of the
 * script's own address is used. data-width and data-height set the frame's
 * size in CSS pixels (default 320 by 48).
 */
(function () {
    "use strict";

    var script = document.currentScript;
    if (!script) {
        return;
    }

    var page = script.getAttribute("data-page") || new URL("/", script.src).href;
    var address = new URL("embed/", page.replace(/\/?$/, "/"));
    if (address.protocol !== "https:" && address.protocol !== "http:") {
        return;
    }

    var frame = document.createElement("iframe");
    frame.src = address.href;
    frame.title = script.getAttribute("data-title") || "Service status";
    frame.width = script.getAttribute("data-width") || "320";
    frame.height = script.getAttribute("data-height") || "48";
    frame.loading = "lazy";
    frame.referrerPolicy = "no-referrer";
    // The link in the frame opens the status page in a new tab; nothing
    // else is allowed, the embed page runs no script.
    frame.setAttribute("sandbox", "allow-popups allow-popups-to-escape-sandbox");
    frame.style.border = "0";
    frame.style.colorScheme = "normal";
    script.parentNode.insertBefore(frame, script.nextSibling);
})();
