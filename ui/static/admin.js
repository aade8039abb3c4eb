// Account page: shows a confirm dialog with a form's data-confirm text
// before the form is sent, such as a password reset or a disable. The
// page's CSP forbids inline handlers, so one listener here handles every
// submit.

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
