/* ecourt: the verification page hashes a chosen file in the browser, in slices (memory stays
 * flat whatever the size), and fills in its SHA-256. The file input has no name: the file is
 * never sent, only the hash. Without this script the page takes a pasted hash. */
(function () {
  "use strict";

  var form = document.getElementById("verify-form");
  var picker = document.getElementById("file-picker");
  if (!form || !picker || !window.EcourtSha256 || !Blob.prototype.slice) return;
  var input = document.getElementById("verify-file");
  var hashField = form.querySelector("input[name=sha256]");
  var bar = document.getElementById("verify-bar");
  var status = document.getElementById("verify-status");
  var button = document.getElementById("verify-submit");
  var hashing = false;
  var spoken = -1;

  function msg(name, values) {
    var text = form.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  picker.hidden = false;

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) return;
    hashing = true;
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    spoken = -1;
    window.EcourtSha256.hashBlob(file, function (done, total) {
      var percent = total ? Math.floor((done * 100) / total) : 100;
      bar.value = percent;
      bar.textContent = percent + "%";
      if (Math.floor(percent / 10) !== spoken) {
        spoken = Math.floor(percent / 10);
        status.textContent = msg("hashing", { percent: percent + "%" });
      }
    }).then(function (hex) {
      hashField.value = hex;
      bar.value = 100;
      status.textContent = msg("hashed");
      hashing = false;
      button.disabled = false;
    }, function () {
      status.textContent = msg("failed");
      hashing = false;
      button.disabled = false;
    });
  });

  form.addEventListener("submit", function (event) {
    if (hashing) event.preventDefault();
  });
})();
