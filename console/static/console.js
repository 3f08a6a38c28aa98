// safetynet staff console: small progressive enhancements. Every page works
// without this script; it adds copy, in-place feedback, live progress.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var meta = document.querySelector('meta[name="csrf"]');
  var csrf = meta ? meta.content : "";

  function api(method, url, body) {
    var opts = { method: method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Copy the suggested answer for pasting into the hotline's system.
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var el = document.querySelector(btn.getAttribute("data-copy"));
        if (!el) { return; }
        var text = el.innerText;
        var done = function () { btn.textContent = "已复制"; setTimeout(function () { btn.textContent = "复制答复"; }, 2000); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(el); done(); });
        } else { fallbackCopy(el); done(); }
      });
    });

    // Helpful / not helpful without leaving the page.
    document.querySelectorAll("form[data-feedback]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var helpful = ev.submitter ? ev.submitter.value === "1" : true;
        var status = form.querySelector(".fb-status");
        api("POST", "/console/api/ask/" + form.getAttribute("data-feedback") + "/feedback", { helpful: helpful })
          .then(function () { status.textContent = "谢谢，已记录。"; form.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); })
          .catch(function () { status.textContent = "没能记录，请再试一次。"; });
      });
    });

    // Ask before an action that cannot be undone.
    document.querySelectorAll("[data-confirm]").forEach(function (btn) {
      btn.addEventListener("click", function (ev) {
        if (!window.confirm(btn.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });

    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });

    // Member rows of the pre-check: show one more at a time.
    var add = document.getElementById("add-member");
    if (add) {
      var refresh = function () { add.hidden = !document.querySelector("fieldset[data-spare]"); };
      add.addEventListener("click", function () {
        var next = document.querySelector("fieldset[data-spare]");
        if (next) { next.removeAttribute("data-spare"); next.querySelector("input").focus(); }
        refresh();
      });
      refresh();
    }

    // On a phone the menu scrolls sideways: keep the current page in view.
    var active = document.querySelector(".top nav a.active");
    if (active && active.scrollIntoView) { active.scrollIntoView({ block: "nearest", inline: "center" }); }

    // The handoff queue refreshes itself when tickets come or go, so a
    // waiting resident is seen without anyone pressing reload.
    var watch = document.querySelector("[data-watch]");
    if (watch) {
      setInterval(function () {
        api("GET", watch.getAttribute("data-watch")).then(function (list) {
          if (String(list.length) !== watch.getAttribute("data-count")) { window.location.reload(); }
        }).catch(function () {});
      }, 10000);
    }

    // Live progress of a campaign.
    var poll = document.querySelector("[data-poll]");
    if (poll) {
      var url = poll.getAttribute("data-poll");
      var tick = function () {
        api("GET", url).then(function (c) {
          Object.keys(c.counts || {}).forEach(function (k) {
            var el = document.querySelector('[data-status="' + k + '"]');
            if (el) { el.textContent = c.counts[k]; }
          });
          // Redraw the stacked bar from the new counts.
          var order = ["acknowledged", "sent", "queued", "failed", "unreachable", "opted_out"];
          var total = order.reduce(function (t, k) { return t + ((c.counts || {})[k] || 0); }, 0);
          var x = 0;
          order.forEach(function (k) {
            var r = document.querySelector("#campaign-bar rect.st-" + k);
            if (!r || !total) { return; }
            var w = 100 * ((c.counts[k] || 0) / total);
            r.setAttribute("x", x.toFixed(2)); r.setAttribute("width", w.toFixed(2)); x += w;
          });
          if (c.status !== poll.getAttribute("data-state")) { window.location.reload(); }
        }).catch(function () {});
      };
      setInterval(tick, 5000);
    }
  });

  function fallbackCopy(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { document.execCommand("copy"); } catch (e) { /* selection stays for Ctrl+C */ }
  }
})();
