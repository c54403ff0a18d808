// Dossier page script: opening sources, the phone's sources view, scrolling
// the article (never the page), copy as plain text, screen-reader labels,
// the question's length counter and Escape to stop.
(() => {
  const PHONE = window.matchMedia("(max-width: 800px)");
  let opener = null; // the link that opened the sources view (focus returns there)

  const $ = (sel, root = document) => root.querySelector(sel);

  // --- [n] markers and source cards open the article -------------------------------
  // The link's target ("cite-TURN-N") goes to a hidden textbox and the hidden
  // button's click runs on the server. Capture phase, so the chat's own link
  // handling (which would open a new tab or jump the page) never sees it.
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest('a[href^="#cite-"], a[href^="#rel-"]');
    if (!a) return;
    e.preventDefault();
    e.stopPropagation();
    const box = $("#open-target textarea, #open-target input");
    const go = $("#open-go");
    if (!box || !go) return;
    box.value = a.getAttribute("href").slice(1);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    if (PHONE.matches && a.closest("#chat")) openSide(a);
    setTimeout(() => go.click(), 50);
  }, true);

  function openSide(from) {
    opener = from;
    document.body.classList.add("side-open");
    const back = $("#back");
    if (back) setTimeout(() => back.focus({ preventScroll: true }), 60);
  }

  function closeSide() {
    document.body.classList.remove("side-open");
    if (opener && document.contains(opener)) opener.focus({ preventScroll: true });
    opener = null;
  }

  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest("#back")) {
      e.preventDefault();
      closeSide();
    }
  });

  // --- the opened passage scrolls into view inside the article panel only ----------
  function centreOpenedPassage() {
    const scroller = $("#article .article-scroll");
    const mark = $("#article mark.current") || $("#article span.passage");
    if (!scroller || !mark) return;
    const top = mark.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
    scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 3);
  }

  // --- copy gives plain text; screen readers hear the text, not Markdown ------------
  function plainOf(message) {
    const lines = message && message.querySelectorAll(".copy-text .l");
    if (!lines || !lines.length) return null;
    return Array.from(lines, (l) => l.textContent.replace(/\u00a0/g, " ").trimEnd()).join("\n");
  }

  function messageOfButton(button) {
    // The buttons bar follows its message row.
    let row = button.closest(".message-buttons");
    row = row && row.previousElementSibling;
    while (row && !row.classList.contains("message-row")) row = row.previousElementSibling;
    return row;
  }

  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest('#chat button[aria-label="Copy message"]');
    if (!button) return;
    const text = plainOf(messageOfButton(button));
    if (text === null) return; // not one of ours: Gradio copies it
    e.preventDefault();
    e.stopPropagation();
    const done = () => {
      button.classList.add("copied");
      announce("Answer copied as plain text.");
      setTimeout(() => button.classList.remove("copied"), 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text) && done());
    } else if (fallbackCopy(text)) done();
  }, true);

  function fallbackCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
    area.remove();
    return ok;
  }

  function announce(text) {
    let live = $("#dossier-live");
    if (!live) {
      live = document.createElement("div");
      live.id = "dossier-live";
      live.className = "sr-only";
      live.setAttribute("role", "status");
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  function relabel() {
    document.querySelectorAll('#chat [data-testid="bot"], #chat [data-testid="user"]').forEach((el) => {
      const who = el.getAttribute("data-testid") === "bot" ? "Dossier" : "You";
      const body = el.querySelector(".message-content") || el;
      const text = plainOf(el) || body.innerText.replace(/\s+/g, " ").trim();
      const label = `${who}: ${text}`;
      if (el.getAttribute("aria-label") !== label) el.setAttribute("aria-label", label);
    });
  }

  // --- the question's length, said before it is sent ----------------------------------
  function counter(area) {
    const note = $("#box-note-wrap .box-note");
    const meta = $('meta[name="dossier-max-chars"]');
    const max = Number(meta ? meta.content : 500);
    if (!note || !area) return;
    const n = area.value.trim().replace(/\s+/g, " ").length;
    if (n > max) {
      note.textContent = `${n}/${max} characters: too long to send. Shorten the question and press Enter.`;
      note.classList.add("warn");
    } else if (n > max * 0.8) {
      note.textContent = `${n}/${max} characters`;
      note.classList.remove("warn");
    } else if (note.classList.contains("warn") || /characters$/.test(note.textContent)) {
      note.textContent = "";
      note.classList.remove("warn");
    }
  }

  document.addEventListener("input", (e) => {
    if (e.target.closest && e.target.closest("#question")) counter(e.target);
  });

  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      if (document.body.classList.contains("side-open")) { closeSide(); return; }
      const stop = $("#stop");
      if (stop && stop.offsetParent !== null) stop.click();
    }
  });

  // --- watch the page for updates ---------------------------------------------------------
  let lastArticle = "";
  const observer = new MutationObserver(() => {
    relabel();
    const art = $("#article .article-body");
    const key = art ? art.innerHTML.length + ":" + ($("#article mark.current") ? $("#article mark.current").textContent : "") : "";
    if (key && key !== lastArticle) {
      lastArticle = key;
      requestAnimationFrame(centreOpenedPassage);
    }
  });
  const start = () => {
    const root = $("gradio-app") || document.body;
    observer.observe(root, { childList: true, subtree: true, characterData: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.dossier = { centreOpenedPassage, plainOf, closeSide };
})();
