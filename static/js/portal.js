/* BetterOff: small improvements on top of pages that already work without JavaScript.
 *
 * - form[data-confirm="Question?"]: asks before sending (e.g. "Back to draft").
 * - form[data-busy="Releasing…"]: shows progress on the button that sent the form and
 *   ignores a second click while the server works (release, exports, long saves).
 * - a[data-download]: says that a download is being prepared; reports can take a few
 *   seconds to render the first time.
 * - details.account-menu: closes on Escape or a click elsewhere.
 * - .main-nav: on a phone its row scrolls sideways; the current item is scrolled into view.
 *
 * Served by the app itself (the Content-Security-Policy allows only 'self' scripts), no inline
 * handlers anywhere.
 */
(function () {
  "use strict";

  function announce(near, text) {
    var note = near.parentNode.querySelector(".busy-note");
    if (!note) {
      note = document.createElement("span");
      note.className = "busy-note";
      note.setAttribute("role", "status");
      near.insertAdjacentElement("afterend", note);
    }
    note.textContent = text;
    return note;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var busyText = form.getAttribute("data-busy");
    if (busyText === null) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault(); // already on its way
      return;
    }
    form.setAttribute("aria-busy", "true");
    // Not `disabled`: a disabled button would drop its own name=value from the submission.
    var button = event.submitter || form.querySelector("[type=submit]");
    if (button) {
      button.classList.add("is-busy");
      button.setAttribute("aria-disabled", "true");
      announce(button, busyText || "Working…");
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-download]") : null;
    if (!link) {
      return;
    }
    var note = announce(link, link.getAttribute("data-download") || "Preparing your download…");
    window.setTimeout(function () {
      note.textContent = "";
    }, 8000);
  });

  // The account menu is a <details>: it works on its own; this closes it on Escape or on a
  // click elsewhere, as people expect of a menu.
  function closeMenus(except, restoreFocus) {
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
        if (restoreFocus) {
          menu.querySelector("summary").focus();
        }
      }
    });
  }
  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target.closest("details.account-menu") : null;
    closeMenus(inside, false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeMenus(null, true);
    }
  });

  // On a phone the main navigation is one row that scrolls sideways: show the current item.
  var current = document.querySelector(".main-nav [aria-current=page]");
  if (current && current.scrollIntoView) {
    var row = current.closest("ul");
    if (row && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = current.offsetLeft - row.clientWidth / 2 + current.clientWidth / 2;
    }
  }

  // Coming back with the Back button restores the page from cache: make it usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
    });
    document.querySelectorAll(".is-busy").forEach(function (button) {
      button.classList.remove("is-busy");
      button.removeAttribute("aria-disabled");
    });
    document.querySelectorAll(".busy-note").forEach(function (note) {
      note.textContent = "";
    });
  });
})();
