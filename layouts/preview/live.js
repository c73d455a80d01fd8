// kpbrief's live preview: added to pages by `kpbrief watch` / `kpbrief serve` as they are
// sent, never written into the book's files. It reloads the page after each build, keeping
// the reader's place, and shows a failed build's problems over the page until they are fixed.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script.getAttribute("data-generation"));
  var placeKey = "kpbrief-place:" + location.pathname;

  var place = sessionStorage.getItem(placeKey);
  if (place !== null) {
    sessionStorage.removeItem(placeKey);
    window.addEventListener("load", function () { window.scrollTo(0, Number(place)); });
  }

  function panel() {
    var box = document.getElementById("kpbrief-problems");
    if (box === null) {
      box = document.createElement("aside");
      box.id = "kpbrief-problems";
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:50vh;overflow:auto;" +
        "z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#fff5f5;color:#5c0000;" +
        "border:2px solid #b00020;border-radius:6px;font:14px/1.45 monospace;" +
        "box-shadow:0 4px 24px rgba(0,0,0,.25);white-space:pre-wrap";
      document.body.appendChild(box);
    }
    return box;
  }

  function showProblems(problems) {
    var box = panel();
    box.textContent = "";
    var head = document.createElement("strong");
    head.textContent = "kpbrief: the last build failed; this page is the one before it.";
    box.appendChild(head);
    problems.forEach(function (line) {
      var item = document.createElement("div");
      item.textContent = line;
      box.appendChild(item);
    });
  }

  // While the watcher still makes the PDF or EPUB after this page's HTML, a note says so.
  function showMaking(making) {
    var note = document.getElementById("kpbrief-making");
    if (making.length === 0) {
      if (note !== null) { note.remove(); }
      return;
    }
    if (note === null) {
      note = document.createElement("aside");
      note.id = "kpbrief-making";
      note.setAttribute("role", "status");
      note.style.cssText =
        "position:fixed;right:1rem;top:1rem;z-index:2147483647;margin:0;padding:.4rem .75rem;" +
        "background:#fffbe6;color:#4d3b00;border:1px solid #b38600;border-radius:6px;" +
        "font:13px/1.4 monospace;box-shadow:0 2px 12px rgba(0,0,0,.2)";
      document.body.appendChild(note);
    }
    note.textContent = "kpbrief: this page is up to date; still making " + making.join(", ");
  }

  var events = new EventSource("/_kpbrief/events");
  events.addEventListener("build", function (event) {
    var state = JSON.parse(event.data);
    showMaking(state.making || []);
    if (state.problems.length > 0) {
      showProblems(state.problems);
      return;
    }
    var box = document.getElementById("kpbrief-problems");
    if (box !== null) { box.remove(); }
    if (state.generation !== shown) {
      sessionStorage.setItem(placeKey, String(window.scrollY));
      location.reload();
    }
  });
})();
