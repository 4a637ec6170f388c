/*
 * The theme's own header buttons, made to work from every copy and from the keyboard.
 *
 * 1. pydata-sphinx-theme and sphinx-book-theme attach the sidebar toggles' handlers to the *first*
 *    .primary-toggle / .secondary-toggle of the page: the navbar's, which sphinx-book-theme hides.
 *    The copies a reader sees, in the article's header, did nothing: at 1280 px the chapter list
 *    could not be hidden, and on a phone neither the chapter list nor "on this page" could be opened.
 *    A click on a copy is handed to the first toggle, which does what the theme meant.
 * 2. sphinx-book-theme blurs these buttons on every click (to dismiss their tooltip). From the
 *    keyboard that threw the focus back to the top of the page: the colour-mode switch could be
 *    pressed once, then had to be found again with Tab. After a keyboard click (event.detail is 0)
 *    that left the focus nowhere, the focus goes back to the button.
 */
(function () {
  "use strict";

  var TOGGLES = [".primary-toggle", ".secondary-toggle"];

  function forwardToggle(event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    for (var k = 0; k < TOGGLES.length; k++) {
      var button = target && target.closest(TOGGLES[k]);
      if (!button) continue;
      var first = document.querySelector(TOGGLES[k]);  // the one the theme listens to
      if (first && first !== button) {
        event.preventDefault();
        event.stopPropagation();
        first.click();
      }
      return;
    }
  }

  function keepFocus(event) {
    if (event.detail !== 0) return;  // a pointer's click: the theme's blur is what it wants there
    var target = event.target.closest ? event.target : event.target.parentElement;
    var button = target && target.closest("button");
    if (!button || !button.closest(".bd-header-article, .bd-header, .bd-sidebar-primary")) return;
    setTimeout(function () {
      var now = document.activeElement;
      if ((!now || now === document.body) && button.isConnected) button.focus();
    }, 0);
  }

  // capture phase on the document: before the buttons' own listeners
  document.addEventListener("click", forwardToggle, true);
  document.addEventListener("click", keepFocus, true);
})();
