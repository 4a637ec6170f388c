/*
 * Keep ipywidgets' icons intact on the book's pages.
 *
 * The theme renders its icons with Font Awesome's JavaScript, which by default *replaces* every
 * <i class="fa ..."> on the page, widgets' icons included, by an <svg>. The Play widget then
 * fails to switch its icon (it looks for its <i>: "Cannot set properties of undefined (setting
 * 'className')"), and that exception aborts the jslink chain play -> slider -> stack, so a
 * frame_stepper stops stepping. In "nest" mode Font Awesome puts the <svg> *inside* the <i>
 * and the widget keeps working. Must run before the theme's (deferred) fontawesome.js.
 * lagrange_ad.css hides the nested <svg> inside widgets, which draw their icons with their own font.
 */
window.FontAwesomeConfig = Object.assign({ autoReplaceSvg: "nest" }, window.FontAwesomeConfig || {});
