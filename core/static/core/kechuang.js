// Behaviour the pages share, kept out of the markup: the Content-Security-Policy runs no inline script.
(function () {
  // A picker marked data-autosubmit submits its form as soon as the choice changes.
  document.addEventListener("change", function (event) {
    var field = event.target.closest && event.target.closest("[data-autosubmit]");
    if (field && field.form) { field.form.submit(); }
  });
})();
