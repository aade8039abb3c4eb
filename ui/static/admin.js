// Administrator pages: shows a confirm dialog with a form's data-confirm
// text before the form is sent, such as a password reset or a disable,
// and marks a form whose action takes a while (data-busy: publishing
// retrains the bot, about a second or two) as busy, so it is not sent
// twice. The page's CSP forbids inline handlers, so one listener here
// handles every submit.

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  const busy = form.dataset.busy;
  if (!busy) return;
  form.setAttribute("aria-busy", "true");
  for (const button of form.querySelectorAll('button[type="submit"], button:not([type])')) {
    button.dataset.label = button.textContent;
    button.textContent = busy;
    // Disabling after the event lets the browser send this button's
    // name and value with the form first.
    setTimeout(() => { button.disabled = true; }, 0);
  }
});

// A page restored from the back-forward cache gets its buttons back.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll('form[aria-busy="true"]')) {
    form.removeAttribute("aria-busy");
    for (const button of form.querySelectorAll("button[data-label]")) {
      button.textContent = button.dataset.label;
      button.disabled = false;
    }
  }
});
