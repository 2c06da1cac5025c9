// The calculator's form sent as JSON, its answer shown in place of the page's main part: the
// same page the server renders for a plain form post, so nothing is rendered twice. Without
// this script (or where it fails) the form posts as usual and the whole page comes back.
(function () {
  'use strict';
  if (!window.fetch || !window.DOMParser || !window.FormData) {
    return;
  }

  function bind() {
    var form = document.querySelector('form[data-calculator]');
    if (!form) {
      return;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var fields = {};
      new FormData(form).forEach(function (value, name) {
        // The first value of a name, as the server reads a form
        if (!Object.prototype.hasOwnProperty.call(fields, name)) {
          fields[name] = String(value);
        }
      });
      var button = form.querySelector('button[type=submit]');
      if (button) {
        button.disabled = true;
      }
      fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'text/html' },
        body: JSON.stringify(fields)
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, 'text/html');
          var main = page.querySelector('main');
          var here = document.querySelector('main');
          if (!main || !here) {
            throw new Error('no answer');
          }
          here.replaceWith(document.importNode(main, true));
          document.title = page.title;
          var link = document.getElementById('permalink');
          if (link && window.history && history.replaceState) {
            history.replaceState(null, '', link.getAttribute('href'));
          }
          // Reading continues at what changed: the answer, or the fields to correct.
          var shown = document.getElementById('result') || document.getElementById('problems');
          if (shown) {
            shown.setAttribute('tabindex', '-1');
            shown.focus();
          }
          bind();
        })
        .catch(function () {
          // The page without the script: a plain post
          if (button) {
            button.disabled = false;
          }
          form.submit();
        });
    });
  }

  bind();
}());
