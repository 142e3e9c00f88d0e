// "全选" on the check report: ticks every warning box of the bulk acknowledgement form. It is shown
// only when this script runs; without it each box is ticked by hand and the form works the same.
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  var formId = all.getAttribute("data-select-all");
  var boxes = function () {
    return document.querySelectorAll('input[type=checkbox][name=findings][form="' + formId + '"]');
  };
  all.closest("label").hidden = false;
  all.addEventListener("change", function () {
    boxes().forEach(function (box) { box.checked = all.checked; });
  });
  boxes().forEach(function (box) {
    box.addEventListener("change", function () {
      all.checked = Array.prototype.every.call(boxes(), function (b) { return b.checked; });
    });
  });
});
