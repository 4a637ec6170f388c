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
 *      take for list items;
 *   4. gives each stepper one height, its tallest frame's: the Stack shows one frame at a time, so
 *      frames of different heights made the page below a stepper jump while it stepped. Every
 *      frame's HTML is in the page's widget state: each is drawn once, hidden, at the stepper's width
 *      (math typeset through mathjax_widgets.js's queue), measured, and the stack gets the tallest
 *      height as its min-height. If that is more than 70% of the window's height and its frames differ
 *      by more than 25% of it (ch. 6's 1330 px stepper has frames from 610 px up), the stepper reserves
 *      only 70% of the window (or its shortest frame's height) and
 *   5. a frame taller than that scrolls in its own box, which gets tabindex 0, role region and a name.
 * Widgets render after the page loads, and re-render frames later: a MutationObserver reapplies 1, 2, 4, 5.
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

  // 4. One height per stepper.
  // A stepper whose tallest frame would need more than this share of the window's height reserves only
  // that much (frames of very different heights left the short ones above a screen of empty space).
  // Frames that differ by less than this share of the window keep the tallest frame's height anyway
  // (ch. 7: 663 and 680 px; scrolling 17 px would be worse than 17 px of space).
  var CAP_OF_SCREEN = 0.7, SPREAD_OF_SCREEN = 0.25;
  var framesBySaid = null;  // a frame's announcement -> the HTML of every frame of its stepper

  function announcementOf(html) {
    var t = document.createElement("template");
    t.innerHTML = html || "";
    return textOf(t.content.querySelector(".lad-stepper-announce"));
  }

  function readFrames() {
    framesBySaid = {};
    var script = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    var state;
    try { state = JSON.parse(script.textContent).state; } catch (e) { return; }
    Object.keys(state).forEach(function (id) {
      var model = state[id].state || {};
      if ((model._dom_classes || []).indexOf("lad-stepper-stack") < 0) return;
      var values = (model.children || []).map(function (ref) {
        var child = state[String(ref).replace("IPY_MODEL_", "")];
        return child && child.state ? child.state.value || "" : "";
      });
      values.forEach(function (html) {
        var said = announcementOf(html);
        // two steppers with a frame announced alike: which one is shown cannot be told, leave both
        if (said) framesBySaid[said] = said in framesBySaid ? null : values;
      });
    });
  }

  function steady(root) {
    var mj = window.MathJax;
    // typeset through mathjax_widgets.js's queue (Hub.Queue), once MathJax itself has started
    if (!mj || !mj.Hub || !mj.Hub.Queue || typeof mj.typesetPromise !== "function") return;
    root.querySelectorAll(".lad-stepper-stack:not([data-lad-steady])").forEach(function (stack) {
      var frame = stack.querySelector(".lad-stepper-frame");
      if (!frame || !stack.offsetWidth) return;  // not drawn yet, or in a hidden tab: later
      if (framesBySaid === null) readFrames();
      var values = framesBySaid[textOf(frame.querySelector(".lad-stepper-announce"))];
      stack.dataset.ladSteady = values ? "measuring" : "unknown";
      if (!values || values.length < 2) return;
      var box = document.createElement("div");
      box.setAttribute("aria-hidden", "true");
      box.className = "mathjax_process";
      var look = getComputedStyle(frame);  // the widget's own font, not the page's
      box.style.cssText = "position:absolute;left:0;top:0;visibility:hidden;pointer-events:none;" +
                          "width:" + frame.getBoundingClientRect().width + "px;font-size:" + look.fontSize +
                          ";line-height:" + look.lineHeight + ";font-family:" + look.fontFamily;
      values.forEach(function (html) {
        // a flex row like the widget's own (widget-inline-hbox), so that text wraps as in the page
        var row = document.createElement("div");
        row.style.display = "flex";
        var d = document.createElement("div");
        d.className = "widget-htmlmath-content";
        d.style.minWidth = "0";  // as lagrange_ad.css gives the frames' content
        d.innerHTML = html;
        row.appendChild(d);
        box.appendChild(row);
      });
      document.body.appendChild(box);
      var tries = 0;
      function measure() {
        // the shown frame must be typeset too before the two drawings of it are compared
        var current = stack.querySelector(".lad-stepper-frame");
        var shown = Number(((current && current.className).match(/lad-stepper-frame-(\d+)/) || [0, -1])[1]);
        var raw = /\$|\\\(|\\\[/.test(values[shown] || "") && !current.querySelector("mjx-container");
        if ((raw || shown < 0) && tries++ < 50) return void setTimeout(measure, 200);
        var heights = Array.prototype.map.call(box.children, function (d) { return d.offsetHeight; });
        // the shown frame, drawn both ways, gives what the widget adds around its HTML (padding, margins)
        var extra = stack.getBoundingClientRect().height - heights[shown];
        var tallest = Math.max.apply(null, heights);
        var shortest = Math.min.apply(null, heights);
        box.remove();
        // (also when the frame shown now is the tallest: the others must not shrink the stepper)
        if (shown >= 0 && extra >= 0 && tallest > shortest) {
          var cap = Math.round(CAP_OF_SCREEN * window.innerHeight);
          if (tallest + extra <= cap || tallest - shortest <= SPREAD_OF_SCREEN * window.innerHeight) {
            stack.style.minHeight = Math.ceil(tallest + extra) + "px";
          } else {
            // taller than most of a screen: reserve what a screen allows (or the shortest frame); a taller
            // frame scrolls inside its own box, which scrollFrames makes focusable and names
            var reserved = Math.ceil(Math.max(cap, shortest + extra));
            // what the stack adds around its frame element (the frame's own padding is inside max-height)
            var around = stack.getBoundingClientRect().height - current.getBoundingClientRect().height;
            stack.style.minHeight = reserved + "px";
            stack.style.setProperty("--lad-frame-max", Math.floor(reserved - around) + "px");
            stack.dataset.ladCapped = "true";
          }
        }
        stack.dataset.ladSteady = "done";
        scrollFrames(stack);
      }
      mj.Hub.Queue(["Typeset", mj.Hub, box], measure);
    });
  }

  // 5. A frame taller than its stepper's reserved height scrolls in its own box: reachable with Tab,
  // named (a screen reader says what it is), and its arrow keys scroll it.
  function scrollFrames(root) {
    var stacks = root.matches && root.matches(".lad-stepper-stack") ? [root]
      : root.querySelectorAll(".lad-stepper-stack[data-lad-capped]");
    Array.prototype.forEach.call(stacks, function (stack) {
      stack.querySelectorAll(":scope > .lad-stepper-frame").forEach(function (frame) {
        if (!frame.offsetHeight) return;  // not shown
        // hidden content, not just the trailing margins that a scroll box keeps inside it
        var content = frame.querySelector(".widget-htmlmath-content") || frame;
        var last = content.lastElementChild;
        var hidden = frame.scrollHeight > frame.clientHeight + 1 && last &&
          last.getBoundingClientRect().bottom > frame.getBoundingClientRect().bottom + 1;
        frame.style.overflowY = hidden ? "" : "hidden";
        if (hidden) {
          var count = textOf(frame.querySelector(".lad-stepper-count")) || "this step";
          frame.tabIndex = 0;
          frame.setAttribute("role", "region");
          frame.setAttribute("aria-label", "Frame " + count + ", in a box that scrolls: more below");
        } else if (frame.hasAttribute("tabindex")) {
          frame.removeAttribute("tabindex");
          frame.removeAttribute("role");
          frame.removeAttribute("aria-label");
        }
      });
    });
  }

  var scheduled = false;
  function update() {
    scheduled = false;
    nameButtons(document);
    nameInputs(document);
    announce(document);
    steady(document);
    scrollFrames(document);
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
    // a tab shown (ipywidgets.Tab only toggles classes, which the observer does not watch) may show
    // a stepper not measured yet
    document.addEventListener("click", schedule, true);
    document.addEventListener("keyup", schedule, true);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
