// Polls a job's progress (checking or importing an employee file, "enrol all") and reloads the page
// when the job is no longer running. Without a total (a file being checked) the bar stays indeterminate.
(function () {
  var bar = document.getElementById("job-progress");
  if (!bar) return;
  var count = document.getElementById("job-count");
  function poll() {
    fetch(bar.getAttribute("data-url"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.total) { bar.max = data.total; bar.value = data.progress; }
      count.textContent = data.total ? data.progress + " / " + data.total : data.progress;
      if (data.running) setTimeout(poll, 1000); else window.location.reload();
    });
  }
  setTimeout(poll, 1000);
})();
