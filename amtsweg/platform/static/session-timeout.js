/* Warns before the login ends and extends it without leaving the page.
   Progressive enhancement of login/session_notice.html: without this script
   the notice's "Extend login" button posts the same form and returns to the page.
   The dialog (role="alertdialog") takes focus when it appears and gives it back
   when it closes; Escape closes it. Texts come from the page, in its language.
   The warning appears on its own, often while nothing on the page has focus:
   then closing it moves the focus to the notice's title, so that focus never
   stays on a hidden button and a screen reader goes on where the notice is. */
(function () {
  "use strict";

  var notice = document.querySelector(".amtsweg-session");
  if (!notice || !window.fetch || !window.FormData) { return; }
  var form = notice.querySelector("form[data-session-extend]");
  var dialog = notice.querySelector("[role='alertdialog']");
  var dialogText = dialog.querySelector("#amtsweg-session-dialog-text");
  var extendButton = dialog.querySelector("[data-session-dialog-extend]");
  var closeButton = dialog.querySelector("[data-session-dialog-close]");
  var untilText = notice.querySelector("[data-session-until]");
  var noticeTitle = notice.querySelector("#amtsweg-session-title");
  var warnSeconds = parseInt(notice.getAttribute("data-warn-seconds"), 10) || 300;
  var timers = [];
  var returnFocus = null;

  function text(name, time) {
    return (dialog.getAttribute("data-text-" + name) || "").replace("{time}", time || "");
  }

  function schedule(secondsLeft, until) {
    timers.forEach(clearTimeout);
    timers = [];
    timers.push(setTimeout(function () {
      show(text("warning", until), Boolean(form));
    }, Math.max(0, secondsLeft - warnSeconds) * 1000));
    timers.push(setTimeout(function () {
      show(text("ended"), false);
    }, secondsLeft * 1000));
  }

  function show(message, canExtend) {
    dialogText.textContent = message;
    extendButton.hidden = !canExtend;
    if (dialog.hidden) {
      returnFocus = document.activeElement;
      dialog.hidden = false;
    }
    (canExtend ? extendButton : closeButton).focus();
  }

  function close() {
    dialog.hidden = true;
    var target = canTakeFocus(returnFocus) ? returnFocus : noticeTitle;
    target.focus();
    returnFocus = null;
  }

  function canTakeFocus(element) {
    return Boolean(element) && element !== document.body && document.contains(element);
  }

  function extend() {
    extendButton.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      extendButton.disabled = false;
      if (result.status === 200) {
        untilText.textContent = text("until", result.body.until);
        schedule(result.body.seconds_left, result.body.until);
        close();  // the notice's text is a live region: it announces the new end
      } else if (result.status === 409) {
        show(text("refused", result.body.until), false);
      } else {
        show(text("ended"), false);
      }
    }).catch(function () {
      // Offline or the server is away: the button of the notice still works.
      extendButton.disabled = false;
      close();
      form.querySelector("button").focus();
    });
  }

  extendButton.addEventListener("click", extend);
  closeButton.addEventListener("click", close);
  noticeTitle.setAttribute("tabindex", "-1");
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
  schedule(
    parseInt(notice.getAttribute("data-seconds-left"), 10) || 0,
    notice.getAttribute("data-until")
  );
})();
