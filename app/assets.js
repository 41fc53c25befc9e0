() => {
  // The question box follows the direction of what is typed.
  const setDir = () => document.querySelectorAll("#question textarea").forEach((el) => {
    if (el.getAttribute("dir") !== "auto") el.setAttribute("dir", "auto");
  });
  setDir();
  new MutationObserver(setDir).observe(document.body, { childList: true, subtree: true });

  // Names a screen reader can say: the history panel's toggle and the question box.
  const name = () => {
    const toggle = document.querySelector("#history-bar .toggle-button");
    if (toggle && toggle.getAttribute("aria-label") !== "Conversations · المحادثات") {
      toggle.setAttribute("aria-label", "Conversations · المحادثات");
      toggle.setAttribute("title", "Conversations · المحادثات");
    }
    const box = document.querySelector("#question textarea");
    if (box && !box.getAttribute("aria-label")) box.setAttribute("aria-label", "Question · السؤال");
  };
  name();
  new MutationObserver(name).observe(document.body, { childList: true, subtree: true });

  // Enter sends, Shift+Enter adds a line (as in chat apps; Gradio's multi-line box does the
  // opposite, on "keypress"). Both key events are caught while capturing, before the box's own
  // handler; an IME still composing (Enter picks a candidate) is left alone.
  const inQuestion = (event) => event.key === "Enter" && !event.isComposing && event.target.closest
    && event.target.closest("#question textarea");
  document.addEventListener("keypress", (event) => {
    if (inQuestion(event)) event.stopPropagation();  // Gradio's submit-on-Shift+Enter never sees it
  }, true);
  document.addEventListener("keydown", (event) => {
    if (!inQuestion(event) || event.shiftKey) return;  // Shift+Enter: the browser's new line
    event.preventDefault();
    event.stopPropagation();
    const ask = document.querySelector("#ask");
    // while an answer runs, Ask is hidden (Stop shows): the question stays in the box
    if (ask && !ask.disabled && ask.offsetParent !== null) ask.click();
  }, true);

  // Copy gives plain text: the answer, then its numbered sources (each answer carries it in a
  // hidden .plain-text block, made in app/render.py). Gradio's own copy button copies the
  // message's HTML; ours is written after it, so the clipboard ends with the plain text.
  document.addEventListener("click", (event) => {
    const button = event.target.closest ? event.target.closest("#chat button") : null;
    if (!button || !/copy/i.test((button.getAttribute("aria-label") || "") + (button.title || ""))) return;
    let holder = button.parentElement;
    while (holder && holder.id !== "chat" && !holder.querySelector(".answer, .question")) holder = holder.parentElement;
    const plain = holder && holder.id !== "chat" ? holder.querySelector(".answer .plain-text") : null;
    if (plain) setTimeout(() => navigator.clipboard.writeText(plain.textContent).catch(() => {}), 150);
  }, true);

  // A citation marker shows its source: the click also selects the message (Gradio's select
  // event), which switches the panel to that answer; wait for it, then scroll and highlight.
  const show = (target) => {
    document.querySelectorAll("#sources .source.active").forEach((s) => s.classList.remove("active"));
    target.classList.add("active");
    target.scrollIntoView({ behavior: "smooth", block: "nearest" });
    const mark = target.querySelector("mark");
    if (mark) mark.scrollIntoView({ behavior: "smooth", block: "nearest" });
  };
  document.addEventListener("click", (event) => {
    const marker = event.target.closest ? event.target.closest("a.cite") : null;
    if (!marker) return;
    event.preventDefault();
    // data-* attributes do not survive the chat's HTML sanitizer; href and classes do
    const n = (marker.getAttribute("href") || "").replace("#src-", "");
    const turn = ((marker.className.match(/\bturn-(\d+)/) || [])[1]) || "";
    if (window.matchMedia("(max-width: 768px)").matches) {  // phones: the sources under the answer
      const list = marker.closest(".answer") && marker.closest(".answer").querySelector("details.inline-sources");
      const item = list && list.querySelector("li.src-" + n);
      if (item) {
        list.open = true;
        list.querySelectorAll("li.active").forEach((li) => li.classList.remove("active"));
        item.classList.add("active");
        item.scrollIntoView({ behavior: "smooth", block: "nearest" });
      }
      return;
    }
    const started = Date.now();
    const attempt = () => {
      const panel = document.querySelector("#sources .sources");
      const target = panel && panel.dataset.turn === turn ? panel.querySelector("#src-" + n) : null;
      if (target) show(target);
      else if (Date.now() - started < 10000) setTimeout(attempt, 100);
    };
    attempt();
  }, true);
}
