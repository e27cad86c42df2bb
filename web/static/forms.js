// Shows and hides fields by their visible_if (data-visible-if-* attributes from forms/render.py).
(function () {
  document.documentElement.classList.add("js");
  function valueOf(name) {
    var inputs = document.querySelectorAll('[name="' + name + '"]');
    var values = [];
    inputs.forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) values.push(el.value === "on" ? "true" : el.value); }
      else values.push(el.value);
    });
    return values;
  }
  function holds(op, wanted, actual) {
    var hit = actual.some(function (v) { return wanted.indexOf(v) !== -1; });
    if (actual.length === 0 && wanted.indexOf("false") !== -1) hit = true;
    return op === "ne" ? !hit : hit;
  }
  function update() {
    document.querySelectorAll("[data-visible-if-field]").forEach(function (wrapper) {
      var wanted = JSON.parse(wrapper.getAttribute("data-visible-if-values") || "[]").map(String);
      var shown = holds(wrapper.getAttribute("data-visible-if-op"), wanted, valueOf(wrapper.getAttribute("data-visible-if-field")));
      wrapper.classList.toggle("field--hidden", !shown);
    });
  }
  document.addEventListener("change", update);
  document.addEventListener("DOMContentLoaded", update);
})();
// Irreversible actions ask first: <form data-confirm="...">.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
// A queue's "select all" box ticks every box of its form named by data-select-all.
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
  if (!name) return;
  event.target.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
