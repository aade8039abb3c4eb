// Shared browser code of the citizen and seat pages: a WebSocket that
// reconnects with backoff and retries unacknowledged sends, client ids,
// and small DOM helpers that only ever set text with textContent.
import { fillAttachment } from "./attach.js";

// newClientID returns a random RFC 4122 version 4 UUID. crypto.randomUUID
// exists only in secure contexts, so plain-HTTP pages on the hall's LAN
// build the same format from crypto.getRandomValues.
export function newClientID() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const b = new Uint8Array(16);
  if (window.crypto && typeof window.crypto.getRandomValues === "function") {
    window.crypto.getRandomValues(b);
  } else {
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(Math.random() * 256);
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Backoff between reconnects, in milliseconds.
const minDelay = 500;
const maxDelay = 15000;

// Socket is one page's session with the hub.
//
// options.url() returns the URL for each (re)connect, so the citizen page
// can put its last seen seq in it. options.onOpen runs on every connect
// before pending sends are retried, so the seat page can resync first.
// options.onFrame receives every parsed frame; options.onState receives
// "connecting", "open", "closed" (a reconnect follows) or "stopped".
export class Socket {
  constructor(options) {
    this.options = options;
    this.ws = null;
    this.delay = minDelay;
    this.stopped = false;
    this.timer = 0;
    // pending contains the sends without an ack, by client_id, in order.
    this.pending = new Map();
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  // finish ends reconnecting but leaves the socket open, so frames the
  // hub sends after the end (the closing system line) still arrive.
  finish() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  // stop closes the socket for good.
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
  }

  connect() {
    clearTimeout(this.timer);
    const state = this.options.onState || (() => {});
    state("connecting");
    const ws = new WebSocket(absoluteURL(this.options.url()));
    this.ws = ws;

    ws.addEventListener("open", () => {
      this.delay = minDelay;
      state("open");
      if (this.options.onOpen) this.options.onOpen();
      for (const frame of this.pending.values()) this.write(frame);
    });
    ws.addEventListener("message", (ev) => {
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (frame && frame.type === "ack" && frame.client_id) this.pending.delete(frame.client_id);
      this.options.onFrame(frame);
      // Page parts outside the page's own script, such as the call view,
      // listen for frames and get the socket to send their commands.
      document.dispatchEvent(new CustomEvent("wenban:frame", { detail: { socket: this, frame } }));
    });
    ws.addEventListener("close", (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      // 4401: the hub ended the page's login; reconnecting cannot help.
      if (ev.code === 4401 && this.options.onLoginEnded) {
        this.stopped = true;
        this.options.onLoginEnded();
        return;
      }
      if (this.stopped) {
        state("stopped");
        return;
      }
      state("closed");
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    const jitter = 0.8 + Math.random() * 0.4;
    const wait = Math.round(this.delay * jitter);
    this.delay = Math.min(this.delay * 2, maxDelay);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  write(frame) {
    if (!this.isOpen()) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // command sends a frame that is not retried, such as a status change.
  command(frame) {
    return this.write(frame);
  }

  // sendMessage sends a frame with a client_id and retries it after every
  // reconnect until its ack arrives. The hub replies to a repeat with the
  // same ack, so a retry never posts a message twice.
  sendMessage(frame) {
    this.pending.set(frame.client_id, frame);
    this.write(frame);
  }

  // forget drops a send the hub rejected, so it is not retried.
  forget(clientID) {
    this.pending.delete(clientID);
  }
}

function absoluteURL(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

// byTestID finds the first element with the data-testid inside root.
export function byTestID(root, id) {
  return root.querySelector(`[data-testid="${id}"]`);
}

// field finds the element with the data-field inside root.
export function field(root, name) {
  return root.querySelector(`[data-field="${name}"]`);
}

// cloneTemplate returns the first element of the <template> with the id.
export function cloneTemplate(id) {
  const tpl = document.getElementById(id);
  return tpl.content.firstElementChild.cloneNode(true);
}

// setText sets an element's text; user text must never go through innerHTML.
export function setText(el, text) {
  if (el) el.textContent = text == null ? "" : String(text);
}

export function show(el, visible) {
  if (el) el.hidden = !visible;
}

// clockFormat shows Beijing time, as the server-rendered lists do,
// whatever zone the browser's machine is set to.
const clockFormat = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  hourCycle: "h23",
  hour: "2-digit",
  minute: "2-digit",
});

// formatClock renders an RFC 3339 time as "HH:MM" in Beijing time.
export function formatClock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return clockFormat.format(d);
}

// postJSON posts body as JSON and returns {status, data}; data is the
// parsed reply or {} when the reply was not JSON.
export async function postJSON(url, body) {
  const resp = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await resp.json();
  } catch {
    data = {};
  }
  return { status: resp.status, data };
}

// Sender labels as the pages show them.
// fillLine writes a transcript line's sender, sequence, client id, author,
// time and text into li. A recalled line shows recalledText instead.
export function fillLine(li, m, author, recalledText) {
  li.dataset.from = m.from;
  if (m.seq) li.dataset.seq = String(m.seq);
  if (m.client_id) li.dataset.clientId = m.client_id;
  setText(field(li, "author"), author);
  const at = field(li, "at");
  if (m.at) {
    at.dateTime = m.at;
    setText(at, formatClock(m.at));
  }
  if (m.recalled) {
    markLineRecalled(li, recalledText);
    return;
  }
  setText(field(li, "text"), m.text);
  li.classList.remove("recalled");
  fillAttachment(li, m);
}

// markLineRecalled replaces a line's text with the recall notice.
export function markLineRecalled(li, recalledText) {
  fillAttachment(li, null);
  show(field(li, "text"), true);
  setText(field(li, "text"), recalledText);
  li.classList.add("recalled");
}

export const senderLabels = {
  citizen: "市民",
  bot: "智能客服",
  agent: "客服",
  system: "系统",
};

// staffName is how citizens see a staff member: their display name, or
// 工作人员 when it is empty or the first administrator's default name
// 系统管理员, which is a role and not a person.
export function staffName(name) {
  return name && name !== "系统管理员" ? name : "工作人员";
}

// errorText returns the Chinese message of an error frame or reply.
export function errorText(obj, fallback) {
  if (obj && typeof obj.message === "string" && obj.message) return obj.message;
  if (obj && typeof obj.text === "string" && obj.text) return obj.text;
  if (obj && typeof obj.error === "string" && obj.error) return obj.error;
  return fallback;
}
