// Light enhancements; every page also works without JavaScript.
(function () {
  "use strict";

  function feedback(form, event) {
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.set(event.submitter.name, event.submitter.value);
    }
    var card = form.closest(".result") || form.closest(".card");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(data),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (answer) {
        if (answer.body && answer.body.ok) {
          var note = document.createElement("p");
          note.className = "fb-done";
          note.setAttribute("role", "status");
          note.textContent = answer.body.message;
          if (card) {
            card.classList.add("dismissed");
            card.replaceChildren(note);
          } else {
            form.replaceWith(note);
          }
        } else if (answer.body && answer.body.login) {
          window.location.href = answer.body.login;
        } else {
          nativeSubmit(form, event.submitter);
        }
      })
      .catch(function () {
        nativeSubmit(form, event.submitter);
      });
  }

  function nativeSubmit(form, submitter) {
    if (submitter && submitter.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = submitter.name;
      hidden.value = submitter.value;
      form.appendChild(hidden);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-feedback") && window.fetch) {
      feedback(form, event);
      return;
    }
    var busy = form.getAttribute("data-busy");
    if (busy) {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () {
          button.disabled = true;
          button.textContent = busy;
        }, 0);
      }
      form.setAttribute("aria-busy", "true");
    }
  });
})();
