// "Add a conference": the new conference's fields only when no existing one is chosen, and the
// size of a chosen file checked before it is sent. The form works without this script.
(function () {
  "use strict";
  var form = document.querySelector("form.intake");
  if (!form) { return; }
  var select = document.getElementById("intake-conference");
  var fresh = document.getElementById("intake-new");
  var slug = document.getElementById("intake-slug");
  function showNew() {
    var isNew = !select.value;
    fresh.hidden = !isNew;
    slug.required = isNew;
  }
  select.addEventListener("change", showNew);
  showNew();

  var file = document.getElementById("intake-file");
  var note = document.getElementById("intake-file-note");
  var max = parseInt(form.getAttribute("data-max-bytes"), 10);
  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    if (chosen && max && chosen.size > max) {
      note.textContent = chosen.name + " is " + chosen.size.toLocaleString() + " bytes: at most " +
        max.toLocaleString() + " bytes can be sent.";
      note.className = "error";
      file.setCustomValidity("file too large");
    } else {
      note.textContent = chosen ? chosen.name + ": " + chosen.size.toLocaleString() + " bytes." : "";
      note.className = "muted";
      file.setCustomValidity("");
    }
  });
})();
