// Citizen page: asks the bot without a reload, hands the citizen over to a
// staff seat, runs the chat over the WebSocket and submits the rating and
// the leave-message form. All user text is set with textContent.
import {
  Socket, newClientID, byTestID, cloneTemplate, setText, show,
  postJSON, errorText, fillLine, markLineRecalled, staffName,
} from "./ws.js";
import { renderCitations } from "./citations.js";

// The no-match texts of appliance/web/citizen.go, by working hours.
const noMatchText = "抱歉，暂时没有找到与您的问题相符的答案。您可以换一种说法再问，或转人工客服咨询。";
const noMatchAfterHoursText = "抱歉，暂时没有找到与您的问题相符的答案。您可以换一种说法再问；现在是非工作时间，也可以在下方留言，工作人员上班后与您联系。";
const busyText = "系统繁忙，请稍后再试。";
const offlineText = "网络连接已中断，正在重新连接……";
// maxTranscriptLines is the most bot-exchange lines a handoff carries.
const maxTranscriptLines = 20;
const maxMessageLength = 2000;

const root = byTestID(document, "citizen-page");
const el = (id) => byTestID(root, id);

const state = {
  channel: root.dataset.channel || "web",
  hoursOpen: root.dataset.hoursOpen === "true",
  conversationID: root.dataset.conversationId || "",
  lastQuestion: "",
  transcript: [],
  // seqs contains the seq of every message shown, to drop replays.
  seqs: new Set(),
  lastSeq: 0,
  conversationState: root.dataset.conversationState || "",
  leaveEdited: false,
  finished: false,
  score: 0,
  socket: null,
};

// ---- asking the bot ----

function pushTranscript(from, text) {
  state.transcript.push({ from, text });
  if (state.transcript.length > maxTranscriptLines) {
    state.transcript.splice(0, state.transcript.length - maxTranscriptLines);
  }
}

function renderAnswer(res) {
  const panel = el("answer-panel");
  const question = el("answer-question");
  setText(question, res.matched ? res.question : "");
  show(question, Boolean(res.matched && res.question));

  const text = res.matched ? res.answer : (res.referral || (state.hoursOpen ? noMatchText : noMatchAfterHoursText));
  const answer = el("answer-text");
  setText(answer, text);
  answer.dataset.matched = String(Boolean(res.matched));

  const materials = el("materials");
  materials.replaceChildren();
  for (const m of res.materials || []) {
    const li = document.createElement("li");
    li.setAttribute("data-testid", "material-item");
    setText(li, m);
    materials.append(li);
  }
  show(el("materials-block"), materials.children.length > 0);
  renderCitations(root, res.citations);

  const list = el("suggestions");
  list.replaceChildren();
  for (const s of res.suggestions || []) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "submit";
    b.name = "q";
    b.value = s.question;
    b.className = "link";
    b.dataset.faqId = s.faq_id;
    b.setAttribute("data-testid", "suggestion-item");
    setText(b, s.question);
    li.append(b);
    list.append(li);
  }
  show(el("suggestions-block"), list.children.length > 0);
  show(panel, true);
  return text;
}

async function ask(question) {
  const input = el("ask-input");
  const button = el("ask-button");
  const error = el("ask-error");
  const q = question.trim();
  if (q === "") {
    setText(error, "请输入您要咨询的问题。");
    show(error, true);
    return;
  }
  show(error, false);
  button.disabled = true;
  try {
    const { status, data } = await postJSON("/api/v1/bot/ask", { question: q, channel: state.channel });
    if (status !== 200) {
      setText(error, errorText(data, busyText));
      show(error, true);
      return;
    }
    input.value = q;
    state.lastQuestion = q;
    const text = renderAnswer(data);
    pushTranscript("citizen", q);
    pushTranscript("bot", text);
    mirrorLeaveText(q);
  } catch {
    setText(error, busyText);
    show(error, true);
  } finally {
    button.disabled = false;
  }
}

// mirrorLeaveText keeps the leave-message text equal to what the citizen
// typed in the ask box until they edit it themselves.
function mirrorLeaveText(text) {
  if (!state.leaveEdited) el("leave-text").value = text;
}

el("ask-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  ask(el("ask-input").value);
});
el("ask-input").addEventListener("input", () => mirrorLeaveText(el("ask-input").value));
// Enter asks, as in the chat box; Shift+Enter and an open IME candidate
// list keep their usual meaning.
el("ask-input").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    ask(el("ask-input").value);
  }
});
el("suggestions-block").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const b = ev.submitter;
  if (b && b.value) ask(b.value);
});
el("leave-text").addEventListener("input", () => {
  state.leaveEdited = true;
});

// ---- handoff and leaving a message ----

function showLeave() {
  state.hoursOpen = false;
  show(el("handoff-panel"), false);
  show(el("leave-panel"), true);
  // The hub's "no seat online" message repeats the form's intro, so the
  // page does not show it again as an error.
  show(el("leave-error"), false);
}

async function handoff() {
  const button = el("handoff-button");
  const error = el("handoff-error");
  show(error, false);
  button.disabled = true;
  try {
    const body = { channel: state.channel, topic: state.lastQuestion, transcript: state.transcript };
    const { status, data } = await postJSON("/api/v1/handoff", body);
    if (status === 200 || status === 201) {
      state.conversationID = data.conversation_id;
      root.dataset.conversationId = data.conversation_id;
      openChat();
      return;
    }
    if (data.leave_message) {
      // Closed hours, no seat, a full queue or too many places from this
      // network: the 留言 form is the way on, under the reason.
      showLeave();
      if (status !== 409) {
        setText(el("leave-error"), errorText(data, busyText));
        show(el("leave-error"), true);
      }
      return;
    }
    setText(error, errorText(data, busyText));
    show(error, true);
  } catch {
    setText(error, busyText);
    show(error, true);
  } finally {
    button.disabled = false;
  }
}

el("handoff-button").addEventListener("click", handoff);

el("leave-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const error = el("leave-error");
  const button = el("leave-submit");
  show(error, false);
  button.disabled = true;
  try {
    const body = {
      name: el("leave-name").value,
      phone: el("leave-phone").value,
      text: el("leave-text").value,
      channel: state.channel,
    };
    const { status, data } = await postJSON("/api/v1/leave-message", body);
    if (status === 201) {
      setText(el("leave-ref-value"), data.ref || "");
      show(el("leave-ref"), Boolean(data.ref));
      el("lookup-ref").value = data.ref || "";
      show(el("leave-form"), false);
      show(el("leave-done"), true);
      return;
    }
    setText(error, errorText(data, busyText));
    show(error, true);
    focusField("leave", data.field);
  } catch {
    setText(error, busyText);
    show(error, true);
  } finally {
    button.disabled = false;
  }
});

// focusField puts the cursor in the field of form prefix that an error
// names (name, phone, text or ref), so a keyboard or screen-reader user
// lands where the correction is due.
function focusField(prefix, field) {
  if (!["name", "phone", "text", "ref"].includes(field)) return;
  const input = el(`${prefix}-${field}`);
  input.setAttribute("aria-invalid", "true");
  input.focus();
  input.addEventListener("input", () => input.removeAttribute("aria-invalid"), { once: true });
}

// ---- looking up a left message ----

el("lookup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const error = el("lookup-error");
  const button = el("lookup-submit");
  show(error, false);
  show(el("lookup-result"), false);
  button.disabled = true;
  try {
    const body = { ref: el("lookup-ref").value, phone: el("lookup-phone").value };
    const { status, data } = await postJSON("/api/v1/leave-message/status", body);
    if (status === 200) {
      renderLookup(data);
      return;
    }
    setText(error, errorText(data, busyText));
    show(error, true);
    // A miss never says which of the two was wrong, so the number, the
    // first of them, gets the cursor.
    if (status === 404) focusField("lookup", "ref");
  } catch {
    setText(error, busyText);
    show(error, true);
  } finally {
    button.disabled = false;
  }
});

function renderLookup(res) {
  setText(el("lookup-result-ref"), res.ref);
  setText(el("lookup-result-at"), res.at);
  setText(el("lookup-status"), res.status);
  el("lookup-status").dataset.handled = String(Boolean(res.handled));
  setText(el("lookup-reply"), res.reply || "");
  setText(el("lookup-replied-at"), res.replied_at || "");
  for (const id of ["lookup-reply-label", "lookup-reply", "lookup-replied-at-label", "lookup-replied-at"]) {
    show(el(id), Boolean(res.handled));
  }
  show(el("lookup-result"), true);
}

// ---- chat ----

// servingText names the staff member serving the citizen, as in
// "工作人员李华正在为您服务。".
function servingText(agentName) {
  const name = staffName(agentName);
  return name === "工作人员" ? "工作人员正在为您服务。" : `工作人员${name}正在为您服务。`;
}

function authorOf(m) {
  switch (m.from) {
    case "citizen": return "我";
    case "agent": return staffName(m.author);
    case "bot": return "智能客服";
    default: return "系统消息";
  }
}

function fillMessage(li, m) {
  // classList.add keeps the pending or failed mark of a line this page sent.
  li.classList.add(`from-${m.from}`);
  fillLine(li, m, authorOf(m), recalledText);
}

const recalledText = "客服撤回了一条消息";

// markRecalled blanks a line its staff member took back.
function markRecalled(seq) {
  const li = el("chat-messages").querySelector(`[data-seq="${seq}"]`);
  if (li) markLineRecalled(li, recalledText);
}

function scrollMessages() {
  const list = el("chat-messages");
  list.scrollTop = list.scrollHeight;
}

function addMessage(m) {
  if (!m || !m.seq || state.seqs.has(m.seq)) return;
  state.seqs.add(m.seq);
  state.lastSeq = Math.max(state.lastSeq, m.seq);

  const list = el("chat-messages");
  let li = m.client_id ? list.querySelector(`[data-client-id="${CSS.escape(m.client_id)}"]`) : null;
  if (li) {
    li.classList.remove("pending", "failed");
  } else {
    li = cloneTemplate("tpl-chat-message");
    list.append(li);
  }
  fillMessage(li, m);
  scrollMessages();
  noteRead();
}

// Read receipts: the page reports the last line the citizen has seen while
// it is in view, and marks the citizen's own lines the staff member read.
let readSent = 0;

function noteRead() {
  if (document.visibilityState !== "visible" || !state.socket || !state.socket.isOpen()) return;
  if (state.lastSeq <= readSent || state.conversationState !== "serving") return;
  readSent = state.lastSeq;
  state.socket.command({ type: "read", seq: state.lastSeq });
}

function markRead(seq) {
  for (const li of el("chat-messages").querySelectorAll('[data-from="citizen"]')) {
    if (Number(li.dataset.seq) <= seq) li.classList.add("read");
  }
}

document.addEventListener("visibilitychange", noteRead);

function setChatStatus(text) {
  setText(el("chat-status"), text);
}

function applyState(c) {
  state.conversationState = c.state;
  root.dataset.conversationState = c.state;
  if (c.state === "queued") {
    setChatStatus("正在为您转接人工客服，请稍候。");
    show(el("queue-info"), true);
  } else if (c.state === "serving") {
    setChatStatus(servingText(c.agent_name));
    show(el("queue-info"), false);
  } else if (c.state === "closed") {
    finishChat(Boolean(c.rated));
  }
}

function applyPosition(f) {
  const position = Number(f.position) || 0;
  const ahead = Math.max(0, position - 1);
  const minutes = Math.max(1, Math.ceil((Number(f.estimated_wait_seconds) || 0) / 60));
  const pos = el("queue-position");
  pos.dataset.position = String(position);
  setText(pos, ahead);
  setText(el("queue-wait"), minutes);
  el("queue-info").dataset.next = String(ahead === 0);
  show(el("queue-info"), state.conversationState === "queued" || state.conversationState === "");
}

function markFailed(clientID, message) {
  const li = el("chat-messages").querySelector(`[data-client-id="${CSS.escape(clientID)}"]`);
  if (li) {
    li.classList.remove("pending");
    li.classList.add("failed");
  }
  showChatError(message);
}

function showChatError(message) {
  const e = el("chat-error");
  delete e.dataset.tone;
  setText(e, message);
  show(e, Boolean(message));
}

// Typing notices: the page notifies the hub at most every few seconds while
// the citizen types, and shows the staff member's notice for a short while.
const typingSendEvery = 3000;
const typingShowFor = 4000;
let typingSentAt = 0;
let typingTimer = 0;

function noteTyping() {
  const now = Date.now();
  if (!state.socket || !state.socket.isOpen() || now - typingSentAt < typingSendEvery) return;
  typingSentAt = now;
  state.socket.command({ type: "typing" });
}

function showTyping(on) {
  clearTimeout(typingTimer);
  show(el("typing-indicator"), on);
  if (on) typingTimer = setTimeout(() => show(el("typing-indicator"), false), typingShowFor);
}

function onFrame(f) {
  switch (f.type) {
    case "message":
      if (f.message && f.message.from === "agent") showTyping(false);
      addMessage(f.message);
      break;
    case "typing":
      showTyping(true);
      break;
    case "read":
      markRead(Number(f.seq) || 0);
      break;
    case "recalled":
      markRecalled(Number(f.seq) || 0);
      break;
    case "ack": {
      const li = el("chat-messages").querySelector(`[data-client-id="${CSS.escape(f.client_id || "")}"]`);
      if (li) {
        li.classList.remove("pending");
        if (f.seq) li.dataset.seq = String(f.seq);
      }
      break;
    }
    case "state":
      if (f.conversation) applyState(f.conversation);
      break;
    case "queue_position":
      applyPosition(f);
      break;
    case "error":
      if (f.client_id) {
        state.socket.forget(f.client_id);
        markFailed(f.client_id, errorText(f, busyText));
      } else {
        showChatError(errorText(f, busyText));
      }
      break;
  }
}

function onSocketState(s) {
  const c = el("connection-status");
  if (s === "open" || s === "stopped") {
    show(c, false);
    return;
  }
  if (s === "closed") {
    setText(c, offlineText);
    show(c, true);
  }
}

function openChat() {
  state.finished = false;
  show(el("handoff-panel"), false);
  show(el("leave-panel"), false);
  show(el("lookup-panel"), false);
  show(el("rating-panel"), false);
  // The chat repeats the bot's answer from the transcript, so the answer
  // card goes away.
  show(el("answer-panel"), false);
  show(el("chat-panel"), true);
  setControlsEnabled(true);
  setChatStatus("正在为您转接人工客服，请稍候。");
  // On a PC the ask box and answer fill the first screen, and the queue
  // position would stay below the fold.
  el("chat-panel").scrollIntoView({ block: "start" });
  if (state.socket) state.socket.stop();
  state.socket = new Socket({
    url: () => `/ws/citizen?after=${state.lastSeq}`,
    onFrame,
    onState: onSocketState,
  });
  state.socket.start();
}

function sendChat() {
  const input = el("chat-input");
  const text = input.value.trim();
  if (text === "") return;
  if (text.length > maxMessageLength) {
    showChatError(`消息不能超过 ${maxMessageLength} 个字。`);
    return;
  }
  showChatError("");
  const clientID = newClientID();
  const li = cloneTemplate("tpl-chat-message");
  li.classList.add("pending");
  fillMessage(li, { from: "citizen", client_id: clientID, text, at: new Date().toISOString() });
  el("chat-messages").append(li);
  scrollMessages();
  state.socket.sendMessage({ type: "send", client_id: clientID, text });
  input.value = "";
}

el("chat-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sendChat();
});
el("chat-input").addEventListener("input", noteTyping);
el("chat-input").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    sendChat();
  }
});
el("chat-end").addEventListener("click", () => {
  // A stray tap on a phone must not end the service.
  if (!window.confirm("确定要结束本次服务吗？")) return;
  if (!state.socket || !state.socket.command({ type: "end" })) showChatError(offlineText);
});

// finishChat runs once per conversation: the hub sends the closed state
// again, with rated set, after the rating, and the thanks must stay.
function finishChat(rated) {
  if (state.finished) return;
  state.finished = true;
  if (state.socket) state.socket.finish();
  show(el("connection-status"), false);
  show(el("queue-info"), false);
  setChatStatus("本次服务已结束。");
  setControlsEnabled(false);
  if (rated) {
    showAskAgain();
  } else {
    show(el("rating-panel"), true);
  }
}

// setControlsEnabled switches every control that sends into the
// conversation: text, uploads, voice messages, calls and ending it.
function setControlsEnabled(on) {
  const panel = el("chat-panel");
  const controls = panel.querySelectorAll(
    '[data-testid="chat-input"], [data-testid="chat-send"], [data-testid="chat-end"], ' +
    "[data-attach-action], input[data-attach-input], [data-call-invite]",
  );
  for (const c of controls) c.disabled = !on;
}

// ---- rating ----

function setScore(score) {
  state.score = score;
  for (const b of el("rating-stars").querySelectorAll("button[data-score]")) {
    const on = Number(b.dataset.score) <= score;
    b.setAttribute("aria-pressed", String(on));
    b.classList.toggle("on", on);
  }
  el("rating-submit").disabled = score < 1;
}

el("rating-stars").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-score]");
  if (b) setScore(Number(b.dataset.score));
});

el("rating-submit").addEventListener("click", async () => {
  const error = el("rating-error");
  const button = el("rating-submit");
  show(error, false);
  button.disabled = true;
  try {
    const body = { score: state.score, comment: el("rating-comment").value.trim() };
    const { status, data } = await postJSON("/api/v1/rating", body);
    if (status === 200) {
      show(el("rating-done"), true);
      setText(el("rating-back"), "继续咨询");
      return;
    }
    setText(error, errorText(data, busyText));
    show(error, true);
    if (status !== 409) {
      button.disabled = false;
    }
  } catch {
    setText(error, busyText);
    show(error, true);
    button.disabled = false;
  }
});

el("rating-back").addEventListener("click", showAskAgain);

// showAskAgain returns the page to asking, ready for a new conversation.
function showAskAgain() {
  state.finished = false;
  if (state.socket) {
    state.socket.stop();
    state.socket = null;
  }
  state.conversationID = "";
  state.conversationState = "";
  root.dataset.conversationId = "";
  root.dataset.conversationState = "";
  state.transcript = [];
  state.seqs.clear();
  state.lastSeq = 0;
  el("chat-messages").replaceChildren();
  setControlsEnabled(true);
  setScore(0);
  el("rating-comment").value = "";
  show(el("rating-done"), false);
  setText(el("rating-back"), "跳过评价，继续咨询");
  show(el("rating-panel"), false);
  show(el("chat-panel"), false);
  show(el("handoff-panel"), state.hoursOpen);
  show(el("leave-panel"), !state.hoursOpen);
  show(el("lookup-panel"), true);
}

// ---- start ----

if (state.conversationState === "queued" || state.conversationState === "serving") {
  openChat();
}
