// Polls an import's progress and reloads the page when it is done.
(function () {
  var bar = document.getElementById("import-progress");
  if (!bar) return;
  var count = document.getElementById("import-count");
  function poll() {
    fetch(bar.getAttribute("data-url"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      bar.value = data.progress; count.textContent = data.progress + " / " + data.valid;
      if (data.status === "importing") setTimeout(poll, 1000); else window.location.reload();
    });
  }
  setTimeout(poll, 1000);
})();
