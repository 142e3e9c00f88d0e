/* Buttons that need a script, declared by data attributes, so that no page carries inline script
 * (the Content-Security-Policy allows scripts from this site's files only: script-src 'self').
 *
 *   data-confirm="…"  asks the question first; the button's form is sent only when staff confirm.
 *   data-print        prints the page; the button is hidden until this script shows it.
 */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
