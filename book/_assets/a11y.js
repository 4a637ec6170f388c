/*
 * Accessible widgets on the static book pages (and the steppers' spoken frames), and one fix of
 * Sphinx's own markup.
 *
 * The ipywidgets HTML manager draws controls that a screen reader cannot name: the Play widget's
 * buttons hold only an icon, sliders are <div role="slider"> handles without a label, and a text
 * box's description is a <label> not tied to its input. This script, loaded on every page,
 *   1. names them: Play / Pause / Stop / Loop buttons (aria-label and tooltip), sliders and inputs
 *      after their widget's description (or after the stepper they drive);
 *   2. gives every back-substitution stepper (.lad-stepper) a polite aria-live region and writes
 *      into it the announcement of the frame now shown (.lad-stepper-announce, written by
 *      lagrange_ad.widgets.frame_stepper), so a screen reader hears "Step 6 of 10: row 5: ..."
 *      whether the frame changed by the slider, the keyboard or the Play button.
 *   3. marks the bibliography's entries as list items: Sphinx writes <div role="list"> holding
 *      entries with the deprecated role doc-biblioentry, which screen readers (and axe) do not
 *      take for list items.
 * Widgets render after the page loads, and re-render frames later: a MutationObserver reapplies 1–2.
 */
(function () {
  "use strict";

  var BUTTON_NAMES = [
    ["fa-play", "Play"], ["fa-pause", "Pause"], ["fa-stop", "Stop"],
    ["fa-retweet", "Loop (repeat)"], ["fa-repeat", "Loop (repeat)"], ["fa-refresh", "Refresh"],
  ];

  function textOf(el) {
    return el ? (el.textContent || "").replace(/\s+/g, " ").trim() : "";
  }

  function hasName(el) {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.getAttribute("title")) return true;
    if (el.id && document.querySelector('label[for="' + el.id + '"]')) return true;
    return false;
  }

  // The description a widget shows beside its control (ipywidgets' .widget-label), or the title of
  // the stepper or explorer it belongs to.
  function describe(el) {
    var widget = el.closest(".widget-inline-hbox, .widget-inline-vbox, .widget-slider, .widget-play, " +
                            ".widget-text, .widget-textarea, .widget-dropdown, .widget-toggle-buttons");
    var label = widget && widget.querySelector(".widget-label");
    var text = textOf(label);
    if (text) return text;
    var stepper = el.closest(".lad-stepper");
    if (stepper) return "step of: " + textOf(stepper.querySelector(".lad-stepper-title")).slice(0, 80);
    return "";
  }

  function nameButtons(root) {
    root.querySelectorAll(".jupyter-widgets button").forEach(function (b) {
      if (textOf(b) || b.getAttribute("aria-label")) return;
      var icon = b.querySelector("i, svg");
      var cls = icon ? (icon.getAttribute("class") || "") : "";
      for (var k = 0; k < BUTTON_NAMES.length; k++) {
        if (cls.indexOf(BUTTON_NAMES[k][0]) >= 0) {
          b.setAttribute("aria-label", BUTTON_NAMES[k][1]);
          if (!b.title) b.title = BUTTON_NAMES[k][1];
          return;
        }
      }
      b.setAttribute("aria-label", describe(b) || "button");
    });
  }

  function nameInputs(root) {
    root.querySelectorAll(".jupyter-widgets [role=slider], .jupyter-widgets input, " +
                          ".jupyter-widgets textarea, .jupyter-widgets select").forEach(function (el) {
      if (el.type === "hidden" || hasName(el)) return;
      var name = describe(el);
      if (el.getAttribute("role") === "slider" && el.closest(".lad-stepper-slider")) {
        name = "frame of the stepper" + (name.indexOf("step of: ") === 0 ? ": " + name.slice(9) : "");
      }
      el.setAttribute("aria-label", name || "value");
    });
  }

  function announce(root) {
    root.querySelectorAll(".lad-stepper").forEach(function (stepper) {
      var live = stepper.querySelector(":scope > .lad-stepper-live");
      if (!live) {
        live = document.createElement("div");
        live.className = "lad-stepper-live visually-hidden";
        live.setAttribute("aria-live", "polite");
        live.setAttribute("role", "status");
        stepper.appendChild(live);
      }
      var said = textOf(stepper.querySelector(".lad-stepper-stack .lad-stepper-frame .lad-stepper-announce"));
      if (said && live.textContent !== said) live.textContent = said;
    });
  }

  var scheduled = false;
  function update() {
    scheduled = false;
    nameButtons(document);
    nameInputs(document);
    announce(document);
  }

  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame ? window.requestAnimationFrame(update) : setTimeout(update, 16);
    }
  }

  function fixCitations() {
    document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]').forEach(function (entry) {
      entry.setAttribute("role", "listitem");
    });
  }

  function start() {
    fixCitations();
    update();
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var t = records[i].target;
        // our own live-region writes would otherwise wake us again
        if (t.nodeType === 1 && t.classList.contains("lad-stepper-live")) continue;
        schedule();
        return;
      }
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
