// The request form: after a refused submit, focus goes to the summary of what to fix; a text with a
// length limit says how much room is left.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    var max = parseInt(counter.getAttribute("data-max"), 10);
    if (!field || !max) {
      return;
    }
    var show = function () {
      counter.textContent = "已写 " + field.value.length + " 字，最多 " + max + " 字";
    };
    field.addEventListener("input", show);
    show();
  });
});
