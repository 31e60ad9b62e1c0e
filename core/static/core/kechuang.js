// Behaviour the pages share, kept out of the markup: the Content-Security-Policy runs no inline script.
(function () {
  // A picker marked data-autosubmit submits its form as soon as the choice changes.
  document.addEventListener("change", function (event) {
    var field = event.target.closest && event.target.closest("[data-autosubmit]");
    if (field && field.form) { field.form.submit(); }
    // A box marked data-check-all="<name>" ticks or clears every checkbox of that name on the page.
    var all = event.target.closest && event.target.closest("[data-check-all]");
    if (all) {
      document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });
})();
