// Dossier page script: opening sources, the phone's sources view, scrolling
// the article (never the page), copy as plain text, screen-reader labels,
// the question's length counter and Escape to stop.
(() => {
  const PHONE = window.matchMedia("(max-width: 800px)");
  let opener = null; // the link that opened the sources view (focus returns there)

  const $ = (sel, root = document) => root.querySelector(sel);

  // Gradio focuses the question box (autofocus) again after every update of
  // it, and a focus scrolls the page to the box: by a few pixels when the page
  // overflows the window for a frame while a taller sources list is fitted.
  // The box is always in view (fit() below), so its focus never needs to
  // scroll. A reader's own tap or click focuses natively, as before.
  const nativeFocus = HTMLTextAreaElement.prototype.focus;
  HTMLTextAreaElement.prototype.focus = function (options) {
    const ours = this.closest && this.closest("#question");
    return nativeFocus.call(this, ours ? { ...options, preventScroll: true } : options);
  };

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
    queueFit();
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

  function fixRoles() {
    // Gradio's example box claims a list role without list items.
    document.querySelectorAll("#chat .examples[role]").forEach((el) => {
      if (el.getAttribute("role") !== "group") {
        el.setAttribute("role", "group");
        el.setAttribute("aria-label", "Example questions");
      }
    });
  }

  function relabel() {
    fixRoles();
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

  // --- the chat follows new text only while the reader is at its bottom ----------------
  // (Gradio's own autoscroll can pull the reader back down mid-stream.)
  let stick = true;
  let chatWrap = null;
  let followedTo = 0; // where we last scrolled it: above that, the reader has moved up
  const atBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  function followChat() {
    const wrap = $("#chat .bubble-wrap");
    if (!wrap) return;
    if (wrap !== chatWrap) {
      chatWrap = wrap;
      followedTo = 0;
      wrap.addEventListener("scroll", () => {
        stick = atBottom(wrap);
        if (stick) followedTo = wrap.scrollTop;
      }, { passive: true });
    }
    if (!stick) return;
    if (wrap.scrollTop < followedTo - 5) { stick = false; return; } // moved up before its scroll event
    if (!atBottom(wrap)) wrap.scrollTop = wrap.scrollHeight;
    followedTo = wrap.scrollTop;
  }
  const sent = () => { stick = true; followedTo = 0; };  // asking a question goes to the bottom
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && e.target.closest && e.target.closest("#question")) sent();
  }, true);
  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest("#ask, #chat .examples button, #chat button.example")) sent();
  }, true);

  // --- the chat and the article fill the window's height, whatever the header takes ---
  let fitQueued = false;
  function fit() {
    fitQueued = false;
    const chat = $("#chat");
    const askRow = $("#ask-row");
    if (chat && askRow && !document.body.classList.contains("side-open")) {
      const below = askRow.getBoundingClientRect().bottom - chat.getBoundingClientRect().bottom + 34;
      const h = Math.max(PHONE.matches ? 300 : 240, window.innerHeight - (chat.getBoundingClientRect().top + window.scrollY) - below);
      if (Math.abs(chat.offsetHeight - h) > 2) chat.style.setProperty("height", `${h}px`, "important");
    }
    const scroller = $("#article .article-scroll");
    if (scroller && scroller.offsetParent !== null) {
      const top = scroller.getBoundingClientRect().top + (document.body.classList.contains("side-open") ? 0 : window.scrollY);
      const h = Math.max(160, window.innerHeight - top - 14);
      if (Math.abs(scroller.offsetHeight - h) > 2) scroller.style.height = `${h}px`;
    }
  }
  const queueFit = () => { if (!fitQueued) { fitQueued = true; requestAnimationFrame(fit); } };
  window.addEventListener("resize", queueFit);

  // --- watch the page for updates ---------------------------------------------------------
  const observer = new MutationObserver(() => {
    relabel();
    followChat();
    queueFit();
    // Each newly rendered article is centred on its opened passage once.
    const scroller = $("#article .article-scroll");
    const mark = $("#article mark.current") || $("#article span.passage");
    if (scroller && mark && scroller.dataset.centred !== mark.textContent) {
      scroller.dataset.centred = mark.textContent;
      // The panel may be re-laid out (or briefly hidden) just after the
      // update, which resets its scroll: keep it centred while it settles,
      // unless the reader scrolls it first.
      let settled = 0;
      const settle = () => {
        const el = $("#article .article-scroll");
        if (!el || settled++ > 15) return;
        if (el.scrollTop === 0 || settled === 1) centreOpenedPassage();
        setTimeout(settle, 100);
      };
      requestAnimationFrame(settle);
    }
  });
  const start = () => {
    const root = $("gradio-app") || document.body;
    observer.observe(root, { childList: true, subtree: true, characterData: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.dossier = { centreOpenedPassage, plainOf, closeSide, get stick() { return stick; } };
})();
