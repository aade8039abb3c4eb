// The kiosk touch screen. The terminal process serves this page on
// 127.0.0.1 and forwards the citizen API, the citizen WebSocket and WHEP
// to the hub, so everything here is same-origin. The terminal's own state
// (devices, call, remote control, document-camera requests) arrives as
// server-sent events from /kiosk/state.

import { Socket, newClientID, byTestID, field, cloneTemplate, setText, show, senderLabels, errorText, staffName } from "./ws.js";
import { Keyboard } from "./kiosk-keyboard.js";

const root = byTestID(document, "kiosk-page");
const el = (id) => byTestID(document, id);

// idleMillis ends a citizen's session after this long without a touch.
const idleMillis = (Number(root.dataset.idleSeconds) || 120) * 1000;
// idleWarningMillis is how long before the end the screen warns.
const idleWarningMillis = 15000;
// maxTranscriptLines is the most bot-exchange lines a handoff carries.
const maxTranscriptLines = 20;

const keyboard = new Keyboard(el("keyboard"), "/kiosk/ime");

const panels = ["start-panel", "ask-panel", "queue-panel", "call-panel", "still-panel"];

const session = {
  transcript: [],
  lastQuestion: "",
  socket: null,
  lastSeq: 0,
  serving: false,
  terminal: { call: null, notice: "" },
  player: null,
  screen: null,
  controlWasActive: false,
  still: null,
  lastTouch: Date.now(),
};

// post sends JSON with the header the terminal requires on every POST.
async function post(url, body) {
  const resp = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Wenban-Kiosk": "1" },
    credentials: "same-origin",
    body: body === undefined ? "" : JSON.stringify(body),
  });
  let data = {};
  try {
    data = await resp.json();
  } catch {
    data = {};
  }
  return { status: resp.status, data };
}

function showPanel(name) {
  for (const p of panels) show(el(p), p === name);
  show(el("kiosk-end"), name !== "start-panel");
}

function currentPanel() {
  return panels.find((p) => !el(p).hidden) || "start-panel";
}

function setNotice(text) {
  setText(el("kiosk-notice"), text);
  show(el("kiosk-notice"), Boolean(text));
}

// ---- start screen ----

el("start-button").addEventListener("click", () => {
  showPanel("ask-panel");
  el("kiosk-question").focus();
});

el("elder-toggle").addEventListener("click", () => {
  const on = !document.body.classList.contains("elder");
  document.body.classList.toggle("elder", on);
  el("elder-toggle").setAttribute("aria-pressed", String(on));
});

// ---- bot ----

async function ask() {
  keyboard.hide();
  const input = el("kiosk-question");
  const question = input.value.trim();
  const error = el("kiosk-ask-error");
  show(error, false);
  if (!question) return;

  const { status, data } = await post("/api/v1/bot/ask", { question });
  if (status !== 200) {
    setText(error, errorText(data, "暂时无法回答，请稍后再试或转人工。"));
    show(error, true);
    return;
  }

  const answer = el("kiosk-answer");
  setText(field(answer, "answer"), data.answer || "抱歉，没有找到相关答案，您可以点击“转人工”咨询工作人员。");
  const materials = field(answer, "materials");
  materials.replaceChildren();
  for (const m of data.materials || []) {
    const li = document.createElement("li");
    setText(li, m);
    materials.append(li);
  }
  show(answer, true);

  session.lastQuestion = question;
  session.transcript.push({ from: "citizen", text: question });
  if (data.answer) session.transcript.push({ from: "bot", text: data.answer });
  session.transcript = session.transcript.slice(-maxTranscriptLines);
  input.value = "";
}

el("kiosk-ask").addEventListener("click", ask);

// ---- 转人工 and the conversation ----

async function handoff() {
  const error = el("kiosk-ask-error");
  show(error, false);
  const { status, data } = await post("/api/v1/handoff", {
    channel: "kiosk",
    topic: session.lastQuestion,
    transcript: session.transcript,
  });
  if (status !== 200 && status !== 201) {
    setText(error, errorText(data, "暂时无法转接人工服务，请稍后再试。"));
    show(error, true);
    return;
  }

  setText(el("queue-position"), "正在排队，请稍候……");
  setText(el("queue-wait"), "");
  showPanel("queue-panel");
  openSocket();
}

el("kiosk-handoff").addEventListener("click", handoff);
el("queue-cancel").addEventListener("click", () => endSession());

function openSocket() {
  if (session.socket) return;
  session.socket = new Socket({
    url: () => `/ws/citizen?after=${session.lastSeq}`,
    onFrame,
  });
  session.socket.start();
}

function onFrame(f) {
  switch (f.type) {
    case "queue_position":
      setText(el("queue-position"), `您前面还有 ${f.position} 位`);
      if (f.estimated_wait_seconds > 0) {
        setText(el("queue-wait"), `预计等待约 ${Math.ceil(f.estimated_wait_seconds / 60)} 分钟`);
      }
      break;
    case "state":
      onConversationState(f.conversation);
      break;
    case "message":
      addLine(f.message);
      break;
    case "error":
      setNotice(errorText(f, "操作未成功，请重试。"));
      break;
  }
}

function onConversationState(c) {
  if (!c) return;
  if (c.state === "serving") {
    session.serving = true;
    setText(el("agent-name"), c.agent_name ? `工作人员 ${c.agent_name} 为您服务` : "工作人员为您服务");
    if (currentPanel() !== "still-panel") showPanel("call-panel");
  } else if (c.state === "closed") {
    session.serving = false;
    setNotice("本次服务已结束，感谢您的使用。");
    setTimeout(() => endSession(), 5000);
  }
}

function addLine(m) {
  if (!m || (m.seq && m.seq <= session.lastSeq)) return;
  if (m.seq) session.lastSeq = m.seq;
  const li = cloneTemplate("tpl-kiosk-line");
  li.dataset.from = m.from;
  const author = m.from === "agent" ? staffName(m.author) : m.author || senderLabels[m.from];
  setText(field(li, "author"), author || "");
  setText(field(li, "text"), m.recalled ? "（已撤回）" : m.text);
  const log = el("kiosk-chat-log");
  log.append(li);
  li.scrollIntoView({ block: "end" });
}

el("kiosk-chat-send").addEventListener("click", () => {
  keyboard.hide();
  const input = el("kiosk-chat-input");
  const text = input.value.trim();
  if (!text || !session.socket) return;
  session.socket.sendMessage({ type: "send", client_id: newClientID(), text });
  input.value = "";
});

// ---- terminal state: devices, call media, remote control ----

function applyTerminalState(s) {
  session.terminal = s;
  setNotice(s.notice || (s.connected ? "" : "终端与服务中心的连接已断开，正在重新连接……"));
  show(el("consent-dialog"), Boolean(s.control_request));
  show(el("control-banner"), Boolean(s.control_active));
  show(el("still-request"), Boolean(s.still_requested));

  // Consent clears the request before it sets control_active, so only a
  // change from active to inactive ends the share.
  if (session.controlWasActive && !s.control_active) stopScreenShare();
  session.controlWasActive = Boolean(s.control_active);

  if (s.call && s.call.play_url && !session.player) startPlayer(s.call);
  if (!s.call && session.player) stopPlayer();
}

const events = new EventSource("/kiosk/state");
events.addEventListener("state", (ev) => {
  try {
    applyTerminalState(JSON.parse(ev.data));
  } catch {
    // A malformed event changes nothing; the next one carries the whole state.
  }
});

// The screen share starts inside the click handler, because
// getDisplayMedia needs the user activation of the citizen's touch.
el("consent-accept").addEventListener("click", async () => {
  startScreenShare(session.terminal.call);
  const { status } = await post("/kiosk/consent", { accept: true });
  if (status !== 204) stopScreenShare();
});
el("consent-decline").addEventListener("click", () => post("/kiosk/consent", { accept: false }));
el("stop-control").addEventListener("click", () => post("/kiosk/stop-control"));

// startPlayer plays the staff member's media over WHEP (RFC 9725).
async function startPlayer(call) {
  const pc = new RTCPeerConnection({ iceServers: call.ice_servers || [] });
  const player = { pc, location: "", token: call.play_token };
  session.player = player;
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  pc.addEventListener("track", (ev) => {
    const video = el("remote-video");
    video.srcObject = ev.streams[0] || new MediaStream([ev.track]);
    show(el("video-waiting"), false);
  });

  try {
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    const resp = await fetch(call.play_url, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", Authorization: `Bearer ${call.play_token}`, "X-Wenban-Kiosk": "1" },
      body: pc.localDescription.sdp,
    });
    if (resp.status !== 201) throw new Error(`WHEP request failed with HTTP ${resp.status}`);
    player.location = resp.headers.get("Location") || "";
    await pc.setRemoteDescription({ type: "answer", sdp: await resp.text() });
  } catch {
    setNotice("暂时无法播放工作人员的视频，您可以继续文字交流。");
  }
}

// iceGathered waits for every local candidate, because WHEP sends one
// offer; it gives up after 3 s and sends what it has.
function iceGathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function stopPlayer() {
  const player = session.player;
  session.player = null;
  if (!player) return;
  player.pc.close();
  el("remote-video").srcObject = null;
  show(el("video-waiting"), true);
  if (player.location) {
    fetch(player.location, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${player.token}`, "X-Wenban-Kiosk": "1" },
    }).catch(() => {});
  }
}

// ---- screen sharing during remote control ----

// startScreenShare publishes this page over WHIP, so the staff member can
// watch the screen they operate. The kiosk browser runs with
// --auto-accept-this-tab-capture, so capturing the page's own tab asks
// nothing; the page fills the screen, so the tab is the screen.
async function startScreenShare(call) {
  if (session.screen || !call || !call.screen_url) return;
  const screen = { pc: null, stream: null, location: "", token: call.screen_token };
  session.screen = screen;
  try {
    screen.stream = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: 15 },
      audio: false,
      preferCurrentTab: true,
      selfBrowserSurface: "include",
    });
    if (session.screen !== screen) {
      for (const track of screen.stream.getTracks()) track.stop();
      return;
    }
    const pc = new RTCPeerConnection({ iceServers: call.ice_servers || [] });
    screen.pc = pc;
    for (const track of screen.stream.getVideoTracks()) {
      pc.addTransceiver(track, { direction: "sendonly", streams: [screen.stream] });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    const resp = await fetch(call.screen_url, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", Authorization: `Bearer ${call.screen_token}`, "X-Wenban-Kiosk": "1" },
      body: pc.localDescription.sdp,
    });
    if (resp.status !== 201) throw new Error(`WHIP request failed with HTTP ${resp.status}`);
    screen.location = resp.headers.get("Location") || "";
    await pc.setRemoteDescription({ type: "answer", sdp: await resp.text() });
  } catch {
    setNotice("暂时无法共享屏幕画面，工作人员仍可按您的描述协助操作。");
  }
}

function stopScreenShare() {
  const screen = session.screen;
  session.screen = null;
  if (!screen) return;
  if (screen.pc) screen.pc.close();
  if (screen.stream) for (const track of screen.stream.getTracks()) track.stop();
  if (screen.location) {
    fetch(screen.location, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${screen.token}`, "X-Wenban-Kiosk": "1" },
    }).catch(() => {});
  }
}

// ---- document camera ----

async function takeStill() {
  const error = el("still-error");
  show(error, false);
  const resp = await fetch("/kiosk/still", { method: "POST", headers: { "X-Wenban-Kiosk": "1" } });
  if (!resp.ok) {
    let data = {};
    try {
      data = await resp.json();
    } catch {
      data = {};
    }
    setNotice(errorText(data, "拍照失败，请重试。"));
    return;
  }

  clearStill();
  const blob = await resp.blob();
  session.still = { blob, url: URL.createObjectURL(blob) };
  el("still-preview").src = session.still.url;
  showPanel("still-panel");
}

function clearStill() {
  if (session.still) URL.revokeObjectURL(session.still.url);
  session.still = null;
  el("still-preview").removeAttribute("src");
}

async function confirmStill() {
  if (!session.still) return;
  const name = encodeURIComponent("材料照片.jpg");
  const resp = await fetch(`/api/v1/attachments?kind=image&name=${name}&client_id=${newClientID()}`, {
    method: "POST",
    headers: { "Content-Type": "image/jpeg", "X-Wenban-Kiosk": "1" },
    credentials: "same-origin",
    body: session.still.blob,
  });
  if (!resp.ok) {
    let data = {};
    try {
      data = await resp.json();
    } catch {
      data = {};
    }
    setText(el("still-error"), errorText(data, "照片发送失败，请重试。"));
    show(el("still-error"), true);
    return;
  }
  clearStill();
  showPanel("call-panel");
}

el("still-button").addEventListener("click", takeStill);
el("still-retake").addEventListener("click", takeStill);
el("still-confirm").addEventListener("click", confirmStill);
el("still-cancel").addEventListener("click", () => {
  clearStill();
  showPanel(session.serving ? "call-panel" : "ask-panel");
});

// ---- end of a session and the idle wipe ----

let ending = false;

// endSession ends the conversation and wipes everything the citizen left:
// the hub's HttpOnly cookie (through the terminal), storage, caches and
// the DOM, by reloading the page.
async function endSession() {
  if (ending) return;
  ending = true;
  if (session.socket) {
    session.socket.command({ type: "end" });
    session.socket.stop();
  }
  stopScreenShare();
  stopPlayer();
  clearStill();
  document.querySelectorAll("textarea, input").forEach((f) => {
    f.value = "";
  });
  try {
    await post("/kiosk/reset");
  } catch {
    // The reload below still clears the page; the cookie expires with the session.
  }
  await wipeBrowserStorage();
  window.location.replace("/");
}

async function wipeBrowserStorage() {
  try {
    window.localStorage.clear();
    window.sessionStorage.clear();
  } catch {
    // Storage may be disabled by the kiosk browser's policy.
  }
  if (window.indexedDB && indexedDB.databases) {
    const dbs = await indexedDB.databases();
    for (const db of dbs) if (db.name) indexedDB.deleteDatabase(db.name);
  }
  if (window.caches) {
    for (const key of await caches.keys()) await caches.delete(key);
  }
}

el("kiosk-end").addEventListener("click", () => endSession());

for (const type of ["pointerdown", "keydown", "touchstart"]) {
  document.addEventListener(type, () => {
    session.lastTouch = Date.now();
  }, { capture: true, passive: true });
}

// The idle clock pauses while a staff member serves the citizen, because
// a citizen who listens or is under remote control touches nothing.
setInterval(() => {
  if (currentPanel() === "start-panel" || ending) return;
  if (session.serving || (session.terminal && session.terminal.control_active)) {
    session.lastTouch = Date.now();
    return;
  }
  const idle = Date.now() - session.lastTouch;
  if (idle >= idleMillis) {
    endSession();
  } else if (idle >= idleMillis - idleWarningMillis) {
    setNotice("长时间没有操作，服务即将结束。如需继续，请触摸屏幕。");
  }
}, 1000);

keyboard.attach(document);
