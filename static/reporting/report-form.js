// The report request form offers only what the chosen kind and plan need: the agency field for an
// agency's report, the area field for an area's report, the recommendation source for a coverage report
// (which has no reporting period), only the chosen plan's areas and periods, and the Word document only
// for the annual report.
// Without this script every field shows and the server ignores the ones the kind does not use.
(function () {
  var form = document.querySelector("[data-report-form]");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]");
  var edition = form.querySelector("select[name=edition]");

  function showKindFields() {
    form.querySelectorAll("[data-kind-field]").forEach(function (box) {
      var used = kind && box.getAttribute("data-kind-field") === kind.value;
      box.hidden = !used;
      // A hidden field is not sent, so a value chosen before the kind changed cannot confuse the request.
      box.querySelectorAll("select, input").forEach(function (field) { field.disabled = !used; });
    });
    // A field every kind uses but one (data-kind-other names that kind).
    form.querySelectorAll("[data-kind-other]").forEach(function (box) {
      var used = !kind || box.getAttribute("data-kind-other") !== kind.value;
      box.hidden = !used;
      box.querySelectorAll("select, input").forEach(function (field) { field.disabled = !used; });
    });
  }

  function showEditionChoices() {
    if (!edition) return;
    ["period", "area"].forEach(function (name) {
      var select = form.querySelector("select[name=" + name + "]");
      if (!select) return;
      select.querySelectorAll("option[data-edition]").forEach(function (option) {
        var mine = option.getAttribute("data-edition") === edition.value;
        option.hidden = !mine;
        option.disabled = !mine;
        if (!mine && option.selected) select.value = "";
      });
    });
    form.querySelectorAll("[data-large-edition]").forEach(function (note) {
      note.hidden = note.getAttribute("data-large-edition") !== edition.value;
    });
  }

  // The Word document (DOCX) is made only for some kinds (the annual report): offer it only for them.
  var format = form.querySelector("select[name=format]");
  function showFormats() {
    if (!format || !kind) return;
    var docxKinds = (format.getAttribute("data-docx-kinds") || "").split(" ");
    var docx = format.querySelector("option[value=docx]");
    if (!docx) return;
    var offered = docxKinds.indexOf(kind.value) !== -1;
    docx.hidden = !offered;
    docx.disabled = !offered;
    if (!offered && docx.selected) format.value = "pdf";
  }

  if (kind) kind.addEventListener("change", showKindFields);
  if (kind) kind.addEventListener("change", showFormats);
  if (edition) edition.addEventListener("change", showEditionChoices);
  showKindFields();
  showEditionChoices();
  showFormats();
})();
