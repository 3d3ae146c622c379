/*
 * Theme toggle of the public status pages.
 *
 * The page's default theme is the data-theme attribute of <html> ("light",
 * "dark", or none for automatic), and theme.css applies it without script.
 * This script applies a visitor's earlier choice, kept in localStorage, as
 * soon as it loads in <head>, then shows the toggle button and switches
 * between light and dark on each click.
 */
(function () {
    "use strict";

    var STORAGE_KEY = "statuspage-theme";
    var root = document.documentElement;
    var darkQuery = window.matchMedia
        ? window.matchMedia("(prefers-color-scheme: dark)")
        : null;

    function storedTheme() {
        try {
            var value = window.localStorage.getItem(STORAGE_KEY);
            return value === "light" || value === "dark" ? value : null;
        } catch (error) {
            return null;  // Storage is blocked, as in some private modes.
        }
    }

    function storeTheme(theme) {
        try {
            window.localStorage.setItem(STORAGE_KEY, theme);
        } catch (error) {
            // The choice then lasts until the page is left.
        }
    }

    function currentTheme() {
        var theme = root.getAttribute("data-theme");
        if (theme === "light" || theme === "dark") {
            return theme;
        }
        return darkQuery && darkQuery.matches ? "dark" : "light";
    }

    function showState(button) {
        button.setAttribute("aria-pressed", currentTheme() === "dark" ? "true" : "false");
    }

    var chosen = storedTheme();
    if (chosen) {
        root.setAttribute("data-theme", chosen);
    }

    function setUp() {
        var buttons = document.querySelectorAll("[data-theme-toggle]");
        Array.prototype.forEach.call(buttons, function (button) {
            showState(button);
            button.hidden = false;
            button.addEventListener("click", function () {
                var next = currentTheme() === "dark" ? "light" : "dark";
                root.setAttribute("data-theme", next);
                storeTheme(next);
                Array.prototype.forEach.call(buttons, showState);
            });
        });
        if (darkQuery && darkQuery.addEventListener) {
            darkQuery.addEventListener("change", function () {
                Array.prototype.forEach.call(buttons, showState);
            });
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", setUp);
    } else {
        setUp();
    }
})();
