// Reload the "my reports" page while a report is being prepared (the element says how often).
(function () {
  var holder = document.querySelector("[data-refresh-seconds]");
  if (!holder) return;
  var seconds = parseInt(holder.getAttribute("data-refresh-seconds"), 10) || 5;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
