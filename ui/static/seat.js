// Seat workbench: keeps the queue, the conversation tabs, the bot's
// suggestions and the transfer menu live over the WebSocket, and turns the
// staff member's clicks into commands. All user text is set with
// textContent.
import {
  Socket, newClientID, byTestID, field, cloneTemplate, setText, show, errorText, markLineRecalled,
} from "./ws.js";
import { Alerter, pageWatched } from "./alert.js";
import {
  stateLabels, statusLabels, capacityText, fillMessage, labelChat, queueItem, suggestionItem,
  recalledText,
} from "./seat-view.js";

const busyText = "系统繁忙，请稍后再试。";
const maxMessageLength = 2000;
// freshQueueMs is how long the queue count stays highlighted after a new
// citizen arrives while the staff member watches the page.
const freshQueueMs = 10000;

const root = byTestID(document, "workbench");
const el = (id) => byTestID(root, id);
const agentID = root.dataset.agentId;

// chats maps a conversation id to its tab, pane and the seqs it shows.
const chats = new Map();
let seats = [];
let selected = "";
let toastTimer = 0;
// acceptWanted is the conversation the seat requested ("*" for the next in
// line). Its tab opens when it arrives, but a conversation transferred in
// meanwhile does not take the focus.
let acceptWanted = "";
// chatNumber is the number of the last tab opened, so each conversation of
// this page gets its own "市民 N" label.
let chatNumber = 0;
// queued holds the conversation ids of the queue on screen, to tell a new
// arrival from a refresh of the same list.
let queued = new Set();
let freshTimer = 0;
const alerter = new Alerter(document.title);

// closedToast is withdrawn when staff close the tab it talks about.
const closedToast = "会话已结束，您可以查看记录后关闭窗口。";

function toast(message) {
  const t = el("seat-error");
  setText(t, message);
  show(t, true);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => show(t, false), 6000);
}

// ---- adopting the server-rendered tabs ----

function adoptChat(pane) {
  const id = pane.dataset.conversationId;
  const tab = el("tabs").querySelector(`[data-testid="tab"][data-conversation-id="${CSS.escape(id)}"]`);
  const number = Number(tab.dataset.number) || ++chatNumber;
  chatNumber = Math.max(chatNumber, number);
  const chat = { id, number, tab, pane, seqs: new Set(), lastSeq: 0, unread: 0, lastSuggestion: null };
  for (const li of pane.querySelectorAll('[data-testid="chat-message"]')) {
    const seq = Number(li.dataset.seq);
    if (seq) {
      chat.seqs.add(seq);
      chat.lastSeq = Math.max(chat.lastSeq, seq);
    }
  }
  chats.set(id, chat);
  wirePane(chat);
  if (!pane.hidden) selected = id;
  return chat;
}

function wirePane(chat) {
  const pane = chat.pane;
  byTestID(pane, "chat-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sendChat(chat);
  });
  byTestID(pane, "chat-input").addEventListener("input", () => noteTyping(chat));
  byTestID(pane, "chat-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      sendChat(chat);
    }
  });
  byTestID(pane, "suggestion-list").addEventListener("click", (ev) => {
    const b = ev.target.closest('[data-testid="suggestion-insert"]');
    if (b) insertSuggestion(chat, b.closest('[data-testid="suggestion"]'));
  });
  byTestID(pane, "kb-search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    searchKB(chat);
  });
  byTestID(pane, "transfer-button").addEventListener("click", () => {
    const to = byTestID(pane, "transfer-select").value;
    if (!to) {
      toast("请先选择要转接的在线同事。");
      return;
    }
    command({ type: "transfer", conversation_id: chat.id, to });
  });
  byTestID(pane, "end-button").addEventListener("click", () => {
    // A finished conversation stays readable until staff close its tab.
    if (chat.closed) {
      removeChat(chat.id);
      return;
    }
    command({ type: "end", conversation_id: chat.id });
  });
  const toggle = byTestID(pane, "suggestions-toggle");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    setText(toggle, open ? "收起" : "展开");
    byTestID(pane, "suggestions").dataset.collapsed = String(!open);
  });
  chat.tab.addEventListener("click", () => selectChat(chat.id));
  fillTransferSelect(chat);
}

// ---- tabs ----

function ensureChat(c) {
  let chat = chats.get(c.id);
  if (!chat) {
    const number = ++chatNumber;
    const tab = cloneTemplate("tpl-tab");
    tab.dataset.conversationId = c.id;
    tab.dataset.number = String(number);
    el("tabs").append(tab);

    const pane = cloneTemplate("tpl-pane");
    pane.dataset.conversationId = c.id;
    pane.hidden = true;
    el("panes").append(pane);
    chat = { id: c.id, number, tab, pane, seqs: new Set(), lastSeq: 0, unread: 0, lastSuggestion: null };
    chats.set(c.id, chat);
    wirePane(chat);
  }
  if (c.channel) chat.pane.dataset.channel = c.channel;
  labelChat(chat, c);
  setText(field(chat.pane, "state"), stateLabels[c.state] || c.state || "");
  updateCounts();
  return chat;
}


function selectChat(id) {
  selected = id;
  for (const chat of chats.values()) {
    const on = chat.id === id;
    chat.pane.hidden = !on;
    chat.tab.setAttribute("aria-selected", String(on));
    if (on) {
      chat.unread = 0;
      updateUnread(chat);
      // A hidden list has no height, so messages added meanwhile left it
      // scrolled to the top.
      const list = byTestID(chat.pane, "chat-messages");
      list.scrollTop = list.scrollHeight;
      byTestID(chat.pane, "chat-input").focus();
      noteRead(chat);
    }
  }
  updateAttention();
}

function removeChat(id) {
  const chat = chats.get(id);
  if (!chat) return;
  chat.tab.remove();
  chat.pane.remove();
  chats.delete(id);
  if (el("seat-error").textContent === closedToast) show(el("seat-error"), false);
  if (selected === id) {
    selected = "";
    const next = chats.keys().next();
    if (!next.done) selectChat(next.value);
  }
  updateCounts();
}

// markClosed keeps an ended conversation on screen, read-only, so staff can
// read the citizen's last words before closing the tab.
function markClosed(chat) {
  chat.closed = true;
  chat.pane.dataset.closed = "true";
  setText(field(chat.pane, "state"), stateLabels.closed || "已结束");
  for (const id of ["chat-input", "chat-send", "transfer-select", "transfer-button"]) {
    byTestID(chat.pane, id).disabled = true;
  }
  // Calls, uploads and bot answers would only be rejected by the hub now.
  const senders = chat.pane.querySelectorAll(
    '[data-call-invite], [data-call-action="group-invite"], [data-attach-action], ' +
    'input[data-attach-input], [data-testid="suggestion-insert"]',
  );
  for (const b of senders) b.disabled = true;
  setText(byTestID(chat.pane, "end-button"), "关闭窗口");
  updateCounts();
}

function updateUnread(chat) {
  const badge = byTestID(chat.tab, "tab-unread");
  setText(badge, chat.unread);
  show(badge, chat.unread > 0);
  updateAttention();
}

// updateAttention puts the unread messages plus the waiting citizens in
// the page title, so the count shows on the browser tab.
function updateAttention() {
  let unread = 0;
  for (const chat of chats.values()) unread += chat.unread;
  alerter.setCount(unread + queued.size);
}

function isFull() {
  let open = 0;
  for (const chat of chats.values()) if (!chat.closed) open++;
  return open >= Number(root.dataset.maxChats || 0);
}

function updateCounts() {
  let open = 0;
  for (const chat of chats.values()) if (!chat.closed) open++;
  setText(el("active-count"), open);
  show(el("no-chats"), chats.size === 0);
  const full = isFull();
  const buttons = [el("queue-next"), ...el("queue-list").querySelectorAll('[data-testid="queue-accept"]')];
  for (const b of buttons) {
    b.disabled = full;
    b.title = full ? capacityText : "";
  }
  if (!full && queued.size === 0) {
    el("queue-next").disabled = true;
    el("queue-next").title = "当前没有排队的市民";
  }
  show(el("capacity-hint"), full);
}

// ---- messages ----

// addMessage shows m in its conversation. live is false for the history
// that comes with an assignment or a resync, which raises no alert.
function addMessage(m, live) {
  const chat = chats.get(m.conversation_id);
  if (!chat || !m.seq || chat.seqs.has(m.seq)) return;
  chat.seqs.add(m.seq);
  chat.lastSeq = Math.max(chat.lastSeq, m.seq);

  const list = byTestID(chat.pane, "chat-messages");
  let li = m.client_id ? list.querySelector(`[data-client-id="${CSS.escape(m.client_id)}"]`) : null;
  if (!li) {
    li = cloneTemplate("tpl-message");
    list.append(li);
  }
  fillMessage(li, m);
  offerRecall(chat, li, m);
  list.scrollTop = list.scrollHeight;
  if (m.from !== "citizen") return;
  const watched = chat.id === selected && pageWatched();
  if (watched) {
    noteRead(chat);
    return;
  }
  if (chat.id !== selected || live) {
    chat.unread++;
    updateUnread(chat);
  }
  if (live) alerter.tone();
}

function sendChat(chat) {
  const input = byTestID(chat.pane, "chat-input");
  const text = input.value.trim();
  if (text === "") return;
  if (text.length > maxMessageLength) {
    toast(`消息不能超过 ${maxMessageLength} 个字。`);
    return;
  }
  const frame = { type: "send", conversation_id: chat.id, client_id: newClientID(), text };
  // A reply built on a suggested answer is credited to its entry, which
  // feeds the knowledge base's learning loop.
  if (chat.lastSuggestion && text.includes(chat.lastSuggestion.answer)) {
    frame.faq_id = chat.lastSuggestion.faqID;
  }
  const li = cloneTemplate("tpl-message");
  fillMessage(li, { from: "agent", author: "我", client_id: frame.client_id, text, at: new Date().toISOString() });
  li.classList.add("pending");
  const list = byTestID(chat.pane, "chat-messages");
  list.append(li);
  list.scrollTop = list.scrollHeight;
  socket.sendMessage(frame);
  input.value = "";
  chat.lastSuggestion = null;
}

function markAck(f) {
  const chat = chats.get(f.conversation_id);
  if (!chat || !f.client_id) return;
  const li = chat.pane.querySelector(`[data-client-id="${CSS.escape(f.client_id)}"]`);
  if (li) {
    li.classList.remove("pending");
    if (f.seq) li.dataset.seq = String(f.seq);
  }
}

function markFailed(clientID) {
  const li = root.querySelector(`[data-client-id="${CSS.escape(clientID)}"]`);
  if (li) {
    li.classList.remove("pending");
    li.classList.add("failed");
  }
}

// ---- suggestions ----

function renderSuggestions(id, items) {
  const chat = chats.get(id);
  if (!chat) return;
  const list = byTestID(chat.pane, "suggestion-list");
  list.replaceChildren();
  for (const s of items || []) list.append(suggestionItem(s));
  const count = list.children.length;
  setText(field(chat.pane, "suggestion-count"), count);
  byTestID(chat.pane, "suggestions").dataset.empty = String(count === 0);
}

// searchKB lists the entries that match the staff member's search in place
// of the pushed suggestions, for when those miss. A reply inserted from a
// result carries its entry like a suggestion does.
async function searchKB(chat) {
  const input = byTestID(chat.pane, "kb-search-input");
  const error = byTestID(chat.pane, "kb-search-error");
  const q = input.value.trim();
  error.hidden = true;
  if (!q) {
    setText(error, "请输入要搜索的关键词或条目编号。");
    error.hidden = false;
    return;
  }
  try {
    const resp = await fetch(`/seat/api/kb/search?${new URLSearchParams({ q })}`, { credentials: "same-origin" });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      setText(error, data.error || "搜索暂时不可用，请稍后再试。");
      error.hidden = false;
      return;
    }
    renderSuggestions(chat.id, data.items);
    if (data.items.length === 0) {
      setText(error, "知识库中没有找到相关条目，请换个关键词。");
      error.hidden = false;
    }
  } catch {
    setText(error, "网络连接异常，请稍后再试。");
    error.hidden = false;
  }
}

// insertSuggestion puts the answer at the cursor of the reply box, so
// the staff member can edit it before sending.
function insertSuggestion(chat, item) {
  if (!item) return;
  const answer = field(item, "answer").textContent;
  const input = byTestID(chat.pane, "chat-input");
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  input.value = input.value.slice(0, start) + answer + input.value.slice(end);
  const cursor = start + answer.length;
  input.focus();
  input.setSelectionRange(cursor, cursor);
  chat.lastSuggestion = { faqID: item.dataset.faqId, answer };
}

// ---- queue ----

function renderQueue(items) {
  const list = el("queue-list");
  list.replaceChildren();
  const previous = queued;
  queued = new Set();
  let arrived = false;
  for (const q of items || []) {
    queued.add(q.conversation_id);
    if (!previous.has(q.conversation_id)) arrived = true;
    list.append(queueItem(q));
  }
  setText(el("queue-count"), list.children.length);
  el("queue-count").dataset.waiting = String(list.children.length > 0);
  show(el("queue-empty"), list.children.length === 0);
  updateCounts();
  updateAttention();
  if (arrived) announceArrival();
}

// announceArrival highlights the queue count and, when the staff member
// is away from the page and could accept, plays the tone.
function announceArrival() {
  el("queue-panel").dataset.fresh = "true";
  if (!pageWatched() && !isFull() && currentStatus === "online") alerter.tone();
  scheduleFreshEnd();
}

// scheduleFreshEnd ends the highlight once the staff member has had the
// page in view for freshQueueMs. A hidden page keeps it until it gets the
// focus.
function scheduleFreshEnd() {
  clearTimeout(freshTimer);
  if (!pageWatched()) return;
  freshTimer = setTimeout(() => {
    if (pageWatched()) delete el("queue-panel").dataset.fresh;
  }, freshQueueMs);
}

el("queue-list").addEventListener("click", (ev) => {
  const b = ev.target.closest('[data-testid="queue-accept"]');
  if (!b) return;
  const item = b.closest('[data-testid="queue-item"]');
  acceptWanted = item.dataset.conversationId;
  delete el("queue-panel").dataset.fresh;
  command({ type: "accept", conversation_id: acceptWanted });
});
el("queue-next").addEventListener("click", () => {
  acceptWanted = "*";
  delete el("queue-panel").dataset.fresh;
  command({ type: "accept", conversation_id: "" });
});

// ---- status and colleagues ----

// currentStatus is the status the hub last confirmed; the switch returns
// to it when a change cannot be sent.
let currentStatus = el("status-select").value;

el("status-select").addEventListener("change", (ev) => {
  if (!command({ type: "status", status: ev.target.value })) ev.target.value = currentStatus;
});

function applyStatus(status) {
  if (!statusLabels[status]) return;
  currentStatus = status;
  el("status-select").value = status;
}

function fillTransferSelect(chat) {
  const select = byTestID(chat.pane, "transfer-select");
  const current = select.value;
  const first = select.options[0];
  select.replaceChildren(first);
  for (const s of seats) {
    if (s.id === agentID || s.status !== "online") continue;
    const o = document.createElement("option");
    o.value = s.id;
    o.disabled = s.max > 0 && s.active >= s.max;
    setText(o, `${s.name}（${statusLabels[s.status] || s.status}，${s.active}/${s.max || "-"}）`);
    select.append(o);
  }
  select.value = current;
  if (select.value !== current) select.value = "";
}

// ---- socket ----

function command(frame) {
  if (socket.command(frame)) return true;
  toast("网络连接已中断，正在重新连接，请稍后再试。");
  return false;
}

// Typing notices, both ways: sent at most every few seconds per
// conversation, shown for a short while.
const typingSendEvery = 3000;
const typingShowFor = 4000;

// recallWindowMs matches the hub's window for taking a line back.
const recallWindowMs = 2 * 60 * 1000;

// offerRecall adds a 撤回 button to the staff member's own recent line and
// removes it when the window closes.
function offerRecall(chat, li, m) {
  if (m.from !== "agent" || m.author_id !== agentID || m.recalled || !m.at) return;
  const left = recallWindowMs - (Date.now() - Date.parse(m.at));
  if (left <= 0 || li.querySelector('[data-testid="recall-button"]')) return;
  const b = document.createElement("button");
  b.type = "button";
  b.className = "link recall";
  b.dataset.testid = "recall-button";
  setText(b, "撤回");
  b.addEventListener("click", () => command({ type: "recall", conversation_id: chat.id, seq: m.seq }));
  li.append(b);
  setTimeout(() => b.remove(), left);
}

function markRecalled(chat, seq) {
  const li = byTestID(chat.pane, "chat-messages").querySelector(`[data-seq="${seq}"]`);
  if (!li) return;
  markLineRecalled(li, recalledText);
  const b = li.querySelector('[data-testid="recall-button"]');
  if (b) b.remove();
}

// noteRead reports the last line of the open conversation once the staff
// member can see it, so the citizen's page can mark their lines read.
function noteRead(chat) {
  if (chat.closed || !socket.isOpen() || chat.id !== selected || !pageWatched()) return;
  if (chat.lastSeq <= (chat.readSent || 0)) return;
  chat.readSent = chat.lastSeq;
  socket.command({ type: "read", conversation_id: chat.id, seq: chat.lastSeq });
}

function markRead(chat, seq) {
  for (const li of byTestID(chat.pane, "chat-messages").querySelectorAll('[data-from="agent"]')) {
    if (Number(li.dataset.seq) <= seq) li.classList.add("read");
  }
}

function noteTyping(chat) {
  const now = Date.now();
  if (chat.closed || !socket.isOpen() || now - (chat.typingSentAt || 0) < typingSendEvery) return;
  chat.typingSentAt = now;
  socket.command({ type: "typing", conversation_id: chat.id });
}

function showTyping(chat, on) {
  const note = byTestID(chat.pane, "typing-indicator");
  clearTimeout(chat.typingTimer);
  show(note, on);
  if (on) chat.typingTimer = setTimeout(() => show(note, false), typingShowFor);
}

function onFrame(f) {
  switch (f.type) {
    case "typing": {
      const chat = chats.get(f.conversation_id);
      if (chat) showTyping(chat, true);
      break;
    }
    case "read": {
      const chat = chats.get(f.conversation_id);
      if (chat) markRead(chat, Number(f.seq) || 0);
      break;
    }
    case "recalled": {
      const chat = chats.get(f.conversation_id);
      if (chat) markRecalled(chat, Number(f.seq) || 0);
      break;
    }
    case "hello":
      if (f.agent) applyStatus(f.agent.status);
      break;
    case "status":
      applyStatus(f.status);
      break;
    case "queue":
      renderQueue(f.items);
      break;
    case "assigned": {
      const known = chats.has(f.conversation.id);
      const chat = ensureChat(f.conversation);
      for (const m of f.messages || []) addMessage(m, false);
      const requested = acceptWanted === "*" || acceptWanted === chat.id;
      if (!selected || selected === chat.id || requested) {
        acceptWanted = "";
        selectChat(chat.id);
      }
      // A conversation transferred in arrives without a click of this seat.
      if (!known && !requested && (chat.id !== selected || !pageWatched())) alerter.tone();
      break;
    }
    case "released": {
      const chat = chats.get(f.conversation_id);
      if (f.reason === "closed" && chat) {
        if (!chat.closed) toast(closedToast);
        markClosed(chat);
        break;
      }
      removeChat(f.conversation_id);
      toast(f.reason === "transferred" ? "会话已转接给其他同事。" : "会话已结束。");
      break;
    }
    case "message":
      if (f.message) {
        const chat = chats.get(f.message.conversation_id);
        if (chat && f.message.from === "citizen") showTyping(chat, false);
        addMessage(f.message, true);
      }
      break;
    case "ack":
      markAck(f);
      break;
    case "state":
      if (f.conversation && chats.has(f.conversation.id)) ensureChat(f.conversation);
      break;
    case "suggestions":
      renderSuggestions(f.conversation_id, f.items);
      break;
    case "seats":
      seats = f.items || [];
      for (const chat of chats.values()) fillTransferSelect(chat);
      break;
    case "error":
      if (f.client_id) {
        socket.forget(f.client_id);
        markFailed(f.client_id);
      }
      toast(errorText(f, busyText));
      break;
  }
}

function onSocketState(s) {
  const c = el("connection-status");
  const texts = { connecting: "正在连接……", open: "已连接", closed: "连接已中断，正在重新连接……" };
  setText(c, texts[s] || "");
  c.dataset.state = s;
}

const socket = new Socket({
  url: () => "/ws/seat",
  onOpen: () => {
    const known = {};
    for (const chat of chats.values()) if (!chat.closed) known[chat.id] = chat.lastSeq;
    socket.command({ type: "resync", conversations: known });
  },
  onFrame,
  onState: onSocketState,
  onLoginEnded: () => {
    window.location.assign("/seat/login");
  },
});

// onPageWatched clears the alerts the staff member can now see: the unread
// count of the open conversation and, after a while, the queue highlight.
function onPageWatched() {
  if (!pageWatched()) return;
  const chat = chats.get(selected);
  if (chat && chat.unread > 0) {
    chat.unread = 0;
    updateUnread(chat);
  }
  if (chat) noteRead(chat);
  if (el("queue-panel").dataset.fresh) scheduleFreshEnd();
}

window.addEventListener("focus", onPageWatched);
document.addEventListener("visibilitychange", onPageWatched);

for (const pane of el("panes").querySelectorAll('[data-testid="chat-pane"]')) adoptChat(pane);
for (const li of el("queue-list").querySelectorAll('[data-testid="queue-item"]')) {
  queued.add(li.dataset.conversationId);
}
updateCounts();
updateAttention();
socket.start();
