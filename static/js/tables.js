/* Wide tables. A table scrolls inside its box (.table-scroll), where the header row and the row names stay in
 * view (portal.css). This script does what the stylesheet cannot know:
 *
 *   - whether the table is wider than its box: only then is the hint shown beside it ("表格较宽，可左右滑动
 *     查看。", the .scroll-hint just before the box) and named as the region's description;
 *   - how tall the sticky header is, so that a linked row (#table-3-row-5, from search results) is not hidden
 *     under it; and, on following such a link, the table's header is brought into the window with the row.
 */
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".table-scroll"));
  if (!boxes.length) return;

  function hintFor(box) {
    var hint = box.previousElementSibling;
    return hint && hint.classList.contains("scroll-hint") ? hint : null;
  }

  function describedBy(box, id, on) {
    var ids = (box.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) ids.push(id);
    if (ids.length) box.setAttribute("aria-describedby", ids.join(" "));
    else box.removeAttribute("aria-describedby");
  }

  function measure(box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    var hint = hintFor(box);
    if (hint) {
      hint.setAttribute("data-overflow", overflows ? "yes" : "no");
      if (hint.id) describedBy(box, hint.id, overflows);
    }
    var head = box.querySelector("thead");
    box.style.setProperty("--head-height", (head ? head.offsetHeight : 0) + "px");
  }

  function measureAll() { boxes.forEach(measure); }

  // A linked row lands just below its table's sticky header, with the box (and so the header) in the window.
  function revealLinkedRow() {
    var id;
    try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (error) { return; }  // a malformed link
    var row = id ? document.getElementById(id) : null;
    if (!row || row.tagName !== "TR") return;
    var box = row.closest(".table-scroll");
    if (!box) return;
    var head = box.querySelector("thead");
    var headHeight = head ? head.offsetHeight : 0;
    box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - headHeight;
    var section = box.closest("section") || box;
    var top = section.getBoundingClientRect().top;
    if (row.getBoundingClientRect().bottom - top > window.innerHeight) top = box.getBoundingClientRect().top;
    window.scrollBy(0, top);
  }

  measureAll();
  if ("ResizeObserver" in window) {
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { measure(entry.target); });
    });
    boxes.forEach(function (box) { observer.observe(box); });
  } else {
    window.addEventListener("resize", measureAll);
  }
  window.addEventListener("hashchange", revealLinkedRow);
  window.addEventListener("load", function () {
    measureAll();
    window.requestAnimationFrame(revealLinkedRow);
  });
})();
