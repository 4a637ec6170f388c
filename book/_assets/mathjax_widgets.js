/*
 * Math inside ipywidgets on the static (kernel-free) book pages.
 *
 * The ipywidgets HTML manager typesets HTMLMath widgets with the MathJax 2 call
 * `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; the book loads MathJax 3,
 * which has no `Hub`, so widget math would stay raw `$$...$$`. This script
 *   1. provides `MathJax.Hub.Queue` on top of MathJax 3's `typesetPromise`, before and after
 *      MathJax has loaded (calls made before that are queued);
 *   2. typesets math that widgets add to the page later (a Stack showing another frame,
 *      an HTML widget whose value changes), by watching widget areas for new raw math;
 *   3. loads our local MathJax on pages that Sphinx thinks have no equations but that show math
 *      anyway: widgets, or chapter titles with math in the navigation sidebar;
 *   4. lets $...$ delimit inline math, as JupyterLab does for Markdown (widgets show Markdown).
 * It is loaded on every page (html_js_files) and does nothing on pages without widgets.
 */
(function () {
  "use strict";

  // book/_assets and book/_vendor are both copied into _static/, so MathJax sits beside us.
  var here = document.currentScript ? document.currentScript.src : "";
  var MATHJAX_SRC = here.replace(/[^/]*$/, "") + "mathjax/es5/tex-mml-chtml.js";
  var WIDGET_AREA = ".jupyter-widgets, .widget-subarea, .jp-OutputArea-output";
  // any "$" too: widgets show Markdown whose inline math is $...$, as in JupyterLab
  var RAW_MATH = /\$|\\\(|\\\[/;

  var pending = []; // elements to typeset once MathJax is ready
  var chain = Promise.resolve();

  function mathjaxReady() {
    var mj = window.MathJax;
    return !!(mj && typeof mj.typesetPromise === "function" && mj.startup && mj.startup.promise);
  }

  // Connected elements only, and none inside another: MathJax would find the same math twice
  // and fail replacing it the second time ("Cannot read properties of null (reading 'replaceChild')").
  function outermost(elements) {
    var live = (elements || []).filter(function (el) { return el && el.isConnected !== false; });
    return live.filter(function (el, i) {
      return !live.some(function (other, j) {
        return other !== el ? other.contains(el) : j < i;
      });
    });
  }

  function typeset(elements) {
    elements = outermost(elements);
    if (!mathjaxReady()) {
      Array.prototype.push.apply(pending, elements.length ? elements : [document.body]);
      return chain;
    }
    // MathJax must not run two typesets at once: chain them.
    chain = chain
      .then(function () { return window.MathJax.startup.promise; })
      .then(function () { return window.MathJax.typesetPromise(elements.length ? elements : undefined); })
      .catch(function (err) { console.error("mathjax_widgets: typeset failed", err); });
    return chain;
  }

  // MathJax 2's Hub.Queue takes jobs: ["Typeset", Hub, element] arrays or functions.
  function installHub(mj) {
    mj.Hub = mj.Hub || {};
    mj.Hub.Queue = function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset") {
          typeset(job[2] ? [].concat(job[2]) : []);
        } else if (typeof job === "function") {
          chain = chain.then(job);
        }
      }
      return chain;
    };
    mj.Hub.Typeset = function (element) { return typeset(element ? [element] : []); };
  }

  function flushPending() {
    var els = pending;
    pending = [];
    if (els.length) typeset(els);
  }

  // Before MathJax 3 loads, window.MathJax is its configuration (or nothing). MathJax replaces
  // the object when it starts, so we hook startup.ready to install Hub again on the real one.
  function prepareConfig() {
    var mj = window.MathJax = window.MathJax || {};
    installHub(mj);
    // JupyterLab typesets $...$ in Markdown; do the same for Markdown that widgets display.
    // (Sphinx's own math arrives as \(...\) in .math elements, and page text outside .math is
    // not scanned: myst marks sections tex2jax_ignore.)
    mj.tex = mj.tex || {};
    mj.tex.inlineMath = mj.tex.inlineMath || [["$", "$"], ["\\(", "\\)"]];
    // When we load MathJax ourselves Sphinx wrote no configuration: process its .math elements as
    // myst-parser's configuration does (sections are marked tex2jax_ignore).
    mj.options = mj.options || {};
    mj.options.processHtmlClass = mj.options.processHtmlClass || "tex2jax_process|mathjax_process|math|output_area";
    mj.startup = mj.startup || {};
    var userReady = mj.startup.ready;
    mj.startup.ready = function () {
      if (userReady) userReady(); else window.MathJax.startup.defaultReady();
      installHub(window.MathJax);
      window.MathJax.startup.promise.then(flushPending);
    };
  }

  if (mathjaxReady()) installHub(window.MathJax); else prepareConfig();

  function pageHasWidgets() {
    return !!document.querySelector('script[type="application/vnd.jupyter.widget-state+json"], ' +
      'script[type="application/vnd.jupyter.widget-view+json"], ' + WIDGET_AREA);
  }

  function mathjaxScriptPresent() {
    return Array.prototype.some.call(document.scripts, function (s) {
      return /tex-(mml-)?(chtml|svg)[^/]*\.js/.test(s.src || "");
    });
  }

  function loadMathjax() {
    var needed = pageHasWidgets() || document.querySelector(".math");
    if (mathjaxReady() || mathjaxScriptPresent() || !needed) return;
    var s = document.createElement("script");
    s.src = MATHJAX_SRC;
    s.async = true;
    s.id = "MathJax-script";
    document.head.appendChild(s);
  }

  // Text that widgets insert later: typeset the widget area holding new raw math.
  function watchWidgets() {
    var scheduled = new Set();
    var timer = null;
    var observer = new MutationObserver(function (records) {
      records.forEach(function (rec) {
        var node = rec.target.nodeType === 1 ? rec.target : rec.target.parentElement;
        if (!node || node.closest("mjx-container")) return;
        var area = node.closest(WIDGET_AREA);
        if (area && RAW_MATH.test(area.textContent)) scheduled.add(area);
      });
      if (scheduled.size && !timer) {
        timer = setTimeout(function () {
          var els = Array.from(scheduled);
          scheduled.clear();
          timer = null;
          typeset(els);
        }, 50);
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }

  function onReady() {
    loadMathjax();
    watchWidgets();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
