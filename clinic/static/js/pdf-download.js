// Forms marked data-pdf-download (the session-prep packet): while the PDF renders the
// button says "Preparing…", then the file is saved and the status line says so.
// Without JavaScript, or if anything goes wrong, the form posts normally and the
// server answers with the PDF or with the form and its mistakes.
(function () {
  "use strict";

  function filenameFrom(disposition) {
    var match = /filename="([^"]+)"/.exec(disposition || "");
    return match ? match[1] : "document.pdf";
  }

  function save(blob, filename) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function enhance(form) {
    if (form.dataset.pdfDownloadReady) {
      return;
    }
    form.dataset.pdfDownloadReady = "true";
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector("[data-pdf-status]");
    var idleLabel = button.textContent;

    function busy(on, message) {
      button.disabled = on;
      button.setAttribute("aria-busy", on ? "true" : "false");
      button.textContent = on ? (button.dataset.busyLabel || "Preparing…") : idleLabel;
      if (status) {
        status.textContent = message;
      }
    }

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.URL || !URL.createObjectURL) {
        return;
      }
      event.preventDefault();
      busy(true, "Preparing your PDF. This takes a few seconds.");
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (!response.ok || type.indexOf("application/pdf") !== 0) {
            throw new Error("The server did not send a PDF.");
          }
          var filename = filenameFrom(response.headers.get("Content-Disposition"));
          return response.blob().then(function (blob) {
            save(blob, filename);
            busy(false, "Ready: " + filename + " is in your downloads.");
          });
        })
        .catch(function () {
          busy(false, "");
          form.submit();
        });
    });
  }

  document.querySelectorAll("form[data-pdf-download]").forEach(enhance);
}());
