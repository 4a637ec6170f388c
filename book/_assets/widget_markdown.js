/*
 * Markdown inside widgets on the static (kernel-free) book pages.
 *
 * An Output widget that holds Markdown (IPython.display.Markdown, a steps table...) is drawn by
 * the ipywidgets HTML manager, which has no Markdown parser: it shows the source as
 * <pre>raw markdown</pre>. JupyterLab renders it. This script renders those fallbacks with
 * `marked` (vendored by scripts/fetch_assets.py, loaded before this file), keeping math out of
 * marked's way as JupyterLab does; mathjax_widgets.js then typesets the math that appears.
 * Limitation: the source is read back from the <pre>, so raw HTML inside such Markdown is lost.
 */
(function () {
  "use strict";

  var FALLBACK = '.jupyter-widgets [data-mime-type="text/markdown"]';
  // $$...$$, \[...\], \(...\), $...$ (one line): protected from Markdown (underscores, stars, \\)
  var MATH = /\$\$[\s\S]+?\$\$|\\\[[\s\S]+?\\\]|\\\([\s\S]+?\\\)|\$[^$\n]+?\$/g;

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function markdownToHtml(source) {
    var math = [];
    var text = source.replace(MATH, function (m) {
      math.push(m);
      return "@@" + (math.length - 1) + "@@";
    });
    var html = window.marked.parse(text);
    return html.replace(/@@(\d+)@@/g, function (_, k) { return escapeHtml(math[Number(k)]); });
  }

  function isFallback(el) {
    return !el.dataset.ladMarkdown && el.children.length === 1 && el.firstElementChild.tagName === "PRE";
  }

  function renderFallbacks(root) {
    if (!window.marked) {
      console.error("widget_markdown: marked is not loaded; Markdown in widgets stays raw");
      return;
    }
    var found = root.matches && root.matches(FALLBACK) ? [root] : [];
    Array.prototype.push.apply(found, root.querySelectorAll ? root.querySelectorAll(FALLBACK) : []);
    found.filter(isFallback).forEach(function (el) {
      el.dataset.ladMarkdown = "rendered";
      el.innerHTML = markdownToHtml(el.firstElementChild.textContent);
    });
  }

  function start() {
    renderFallbacks(document.body);
    new MutationObserver(function (records) {
      records.forEach(function (rec) {
        rec.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) renderFallbacks(node.closest("[data-mime-type]") || node);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
