// On-screen keyboard of the kiosk with a pinyin input method. In Chinese
// mode letters collect into a pinyin string, the terminal's /kiosk/ime
// endpoint returns candidate words and characters for it, and touching a
// candidate types it into the field that has focus.

import { setText, show } from "./ws.js";

export class Keyboard {
  constructor(root, imeURL) {
    this.root = root;
    this.imeURL = imeURL;
    this.target = null;
    this.pinyin = "";
    this.chinese = true;
    this.candidates = [];
    // candidatesInput is the pinyin the shown candidates were fetched for,
    // which lags behind this.pinyin while a fetch is in flight.
    this.candidatesInput = "";
    this.request = 0;
  }

  attach(doc) {
    doc.addEventListener("focusin", (ev) => {
      const t = ev.target;
      if (t instanceof HTMLElement && t.dataset.keyboard === "true") {
        this.target = t;
        show(this.root, true);
      }
    });

    // Keys must not take the focus away from the field being typed in.
    this.root.addEventListener("pointerdown", (ev) => ev.preventDefault());
    this.root.addEventListener("click", (ev) => {
      const key = ev.target.closest("[data-key]");
      if (key) this.press(key.dataset.key);
      const cand = ev.target.closest("[data-candidate]");
      if (cand) this.choose(Number(cand.dataset.candidate));
    });
    this.renderMode();
  }

  press(key) {
    switch (key) {
      case "mode":
        this.commitPinyin();
        this.chinese = !this.chinese;
        this.renderMode();
        return;
      case "space":
        if (this.pinyin && this.candidates.length) this.choose(0);
        else this.insert(" ");
        return;
      case "backspace":
        if (this.pinyin) this.setPinyin(this.pinyin.slice(0, -1));
        else this.deleteBack();
        return;
      case "hide":
        this.hide();
        return;
    }

    if (this.chinese && /^[a-z]$/.test(key)) {
      this.setPinyin(this.pinyin + key);
      return;
    }
    this.commitPinyin();
    this.insert(key);
  }

  // hide types pending letters and puts the keyboard away.
  hide() {
    this.commitPinyin();
    show(this.root, false);
  }

  // commitPinyin types the pending letters as they are, so nothing the
  // citizen typed is lost when they switch modes or punctuate.
  commitPinyin() {
    if (!this.pinyin) return;
    const text = this.pinyin;
    this.setPinyin("");
    this.insert(text);
  }

  // choose types candidate i. Its consumed count applies to the pinyin the
  // list was fetched for, and letters typed since then are kept.
  choose(i) {
    const c = this.candidates[i];
    if (!c) return;
    this.insert(c.text);
    const q = this.candidatesInput;
    const rest = this.pinyin.startsWith(q) ? q.slice(c.consumed) + this.pinyin.slice(q.length) : "";
    this.setPinyin(rest);
  }

  async setPinyin(p) {
    this.pinyin = p;
    setText(this.root.querySelector('[data-testid="ime-pinyin"]'), p);
    const id = ++this.request;
    if (!p) {
      this.renderCandidates([], "");
      return;
    }
    try {
      const resp = await fetch(`${this.imeURL}?q=${encodeURIComponent(p)}`);
      const data = await resp.json();
      if (id === this.request) this.renderCandidates(data.candidates || [], p);
    } catch {
      if (id === this.request) this.renderCandidates([], p);
    }
  }

  renderCandidates(list, input) {
    this.candidates = list;
    this.candidatesInput = input;
    const ol = this.root.querySelector('[data-testid="ime-candidates"]');
    ol.dataset.input = input;
    ol.replaceChildren();
    list.forEach((c, i) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.candidate = String(i);
      setText(b, c.text);
      li.append(b);
      ol.append(li);
    });
  }

  renderMode() {
    setText(this.root.querySelector('[data-testid="ime-mode"]'), this.chinese ? "中" : "英");
  }

  insert(text) {
    const t = this.target;
    if (!t) return;
    const start = t.selectionStart ?? t.value.length;
    const end = t.selectionEnd ?? t.value.length;
    t.setRangeText(text, start, end, "end");
    t.dispatchEvent(new Event("input", { bubbles: true }));
  }

  deleteBack() {
    const t = this.target;
    if (!t) return;
    const start = t.selectionStart ?? t.value.length;
    const end = t.selectionEnd ?? t.value.length;
    if (start !== end) t.setRangeText("", start, end, "end");
    else if (start > 0) t.setRangeText("", start - 1, start, "end");
    t.dispatchEvent(new Event("input", { bubbles: true }));
  }
}
