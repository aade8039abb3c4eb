// The seat screen's calls: call buttons in each conversation pane, one
// docked call view (ringing, mute, camera, hold, hang-up), and the group
// window panel with its join link and each citizen's speak permission.
import { MediaLink, Snapshots, Tones, endTexts, kindLabels, onSessionFrame, peerStateText } from "./call.js";
import { byTestID, cloneTemplate, field, setText, show } from "./ws.js";

const page = document;
const el = (id) => byTestID(page, id);
const bench = el("workbench");
const myID = bench ? bench.dataset.agentId : "";

const view = el("call-view");
const tones = new Tones();
const snapshots = new Snapshots();
const media = new MediaLink({
  localVideo: el("call-local-video"),
  remoteVideo: el("call-remote-video"),
  audioBox: null,
  primaryPrefix: "citizen-",
  onState: (s) => {
    view.dataset.connection = s;
    if (s === "disconnected" || s === "failed") setText(el("call-status"), "网络不稳定，正在重新连接……");
    else if (s === "connected" && state.calls.has(state.shown)) renderCall(state.calls.get(state.shown));
  },
});
const groupMedia = new MediaLink({
  localVideo: el("group-local-video"),
  remoteVideo: null,
  audioBox: el("group-remote-audio"),
  primaryPrefix: "staff-",
});

const state = {
  socket: null,
  // calls contains this seat's calls in progress by conversation id.
  calls: new Map(),
  // shown is the conversation whose call the call view shows.
  shown: "",
  group: null,
};

function command(type, conversationID, args) {
  if (!state.socket) return false;
  return state.socket.command({ type, conversation_id: conversationID || "", call: args || {} });
}

function citizenLabel(conversationID) {
  const tab = page.querySelector(`[data-testid="tab"][data-conversation-id="${CSS.escape(conversationID)}"]`);
  const number = tab && field(tab, "number");
  return number && number.textContent ? number.textContent : "市民";
}

// pick chooses the call to show: a live or held one first, then one
// ringing here, so a second citizen's call never hides the one in progress.
function pick() {
  const order = { live: 0, held: 0, ringing: 1 };
  let best = null;
  for (const c of state.calls.values()) {
    if (!best || order[c.state] < order[best.state]) best = c;
  }
  return best;
}

function onCall(c) {
  const mine = c.agent && c.agent.id === myID && c.state !== "ended";
  if (mine) state.calls.set(c.conversation_id, c);
  else state.calls.delete(c.conversation_id);

  if (!mine && state.shown === c.conversation_id) {
    media.leave();
    tones.stop();
    state.shown = "";
    if (c.state === "ended") toastCall(endTexts[c.reason] || endTexts.hangup);
    else toastCall("通话已随会话转接给同事。");
  }
  const waiting = mine && c.state === "ringing" && c.caller === "citizen";
  if (waiting && state.shown && state.shown !== c.conversation_id) {
    toastCall(`${citizenLabel(c.conversation_id)} 发起${kindLabels[c.kind]}，请先结束当前通话后接听。`);
  }
  renderBars();
  const next = pick();
  if (next) renderCall(next);
  else hideView();
}

function renderCall(c) {
  if (state.shown && state.shown !== c.conversation_id) media.leave();
  state.shown = c.conversation_id;
  const who = citizenLabel(c.conversation_id);
  const live = c.state === "live" || c.state === "held";
  view.dataset.state = c.state;
  view.dataset.kind = c.kind;
  view.dataset.conversationId = c.conversation_id;
  show(view, true);
  show(el("call-camera"), c.kind === "video");
  const notice = el("call-recording-notice");
  setText(notice, c.recording ? "录音录像中" : "");
  show(notice, Boolean(c.recording));

  const incoming = c.state === "ringing" && c.caller === "citizen";
  show(el("call-ring"), incoming);
  show(el("call-controls"), !incoming);
  show(el("call-hold"), live);
  if (incoming) {
    setText(el("call-status"), `${who} 发起${kindLabels[c.kind]}`);
    tones.start("ring");
  } else {
    tones.stop();
  }
  if (c.state === "ringing" && !incoming) setText(el("call-status"), `正在呼叫${who}……`);
  if (c.state === "live") setText(el("call-status"), `与${who} ${kindLabels[c.kind]}中`);
  if (c.state === "held") setText(el("call-status"), `已保持与${who}的通话，市民正在听等待音`);

  const hold = el("call-hold");
  hold.setAttribute("aria-pressed", String(c.state === "held"));
  setText(hold, c.state === "held" ? "恢复通话" : "保持");
  const peer = el("call-peer-state");
  const peerText = live ? peerStateText(c.citizen, "市民", c.kind === "video") : "";
  setText(peer, peerText);
  show(peer, peerText !== "");

  if (live) {
    media.join(state.socket, c.room, { video: c.kind === "video", micOn: !media.muted }).catch(failed);
  }
}

function hideView() {
  media.leave();
  tones.stop();
  state.shown = "";
  view.dataset.state = "idle";
  show(view, false);
  resetSwitches();
}

function resetSwitches() {
  media.muted = false;
  media.cameraOff = false;
  for (const [id, text] of [["call-mute", "静音"], ["call-camera", "关闭摄像头"]]) {
    el(id).setAttribute("aria-pressed", "false");
    setText(el(id), text);
  }
}

// renderBars disables the call buttons of conversations with a call and
// shows the group invitation while a group window is open.
function renderBars() {
  for (const bar of page.querySelectorAll('[data-testid="chat-pane"] [data-testid="call-bar"]')) {
    const pane = bar.closest('[data-testid="chat-pane"]');
    const busy = state.calls.has(pane.dataset.conversationId);
    const closed = pane.dataset.closed === "true";
    for (const b of bar.querySelectorAll("[data-call-invite]")) b.disabled = busy || closed;
    show(byTestID(bar, "group-invite"), Boolean(state.group));
  }
}

function toastCall(text) {
  const t = el("seat-error");
  if (!t) return;
  setText(t, text);
  show(t, true);
}

function failed(err) {
  toastCall("无法打开摄像头或麦克风，请检查浏览器权限后重试。");
  if (window.console) console.warn("call media failed", err);
}

// ---- group window ----

function onGroup(g) {
  if (g.agent && g.agent.id !== myID) return;
  if (g.closed) {
    if (state.group && state.group.id === g.id) {
      state.group = null;
      groupMedia.leave();
      show(el("group-live"), false);
      show(el("group-open"), true);
    }
    renderBars();
    return;
  }
  state.group = g;
  show(el("group-open"), false);
  show(el("group-live"), true);
  el("group-link").value = `${window.location.origin}/?group=${encodeURIComponent(g.id)}`;
  setText(el("group-count"), String(g.members.length));
  renderMembers(g);
  renderBars();
  groupMedia.join(state.socket, g.room, { video: true, micOn: true }).catch(failed);
}

function renderMembers(g) {
  const list = el("group-members");
  const items = g.members.map((m, i) => {
    const li = cloneTemplate("tpl-group-member");
    li.dataset.conversationId = m.conversation_id;
    li.dataset.speaking = String(m.speaking);
    setText(field(li, "label"), `市民 ${i + 1}`);
    setText(field(li, "speaking"), m.speaking ? "发言中" : "仅聆听");
    const speak = byTestID(li, "group-speak");
    setText(speak, m.speaking ? "禁止发言" : "允许发言");
    speak.setAttribute("aria-pressed", String(m.speaking));
    return li;
  });
  list.replaceChildren(...items);
}

// ---- actions ----

function onAction(button) {
  const action = button.dataset.callAction;
  const pane = button.closest('[data-testid="chat-pane"]');
  const member = button.closest('[data-testid="group-member"]');
  const conv = view.dataset.conversationId || "";
  tones.unlock();
  switch (action) {
    case "accept":
      tones.stop();
      command("call.accept", conv);
      break;
    case "decline":
      tones.stop();
      command("call.decline", conv);
      break;
    case "hangup":
      command("call.hangup", conv);
      break;
    case "hold":
      command("call.hold", conv, { on: view.dataset.state !== "held" });
      break;
    case "mute": {
      const muted = !media.muted;
      media.setMuted(muted);
      button.setAttribute("aria-pressed", String(muted));
      setText(button, muted ? "取消静音" : "静音");
      command("call.mute", conv, { on: muted });
      break;
    }
    case "camera": {
      const off = !media.cameraOff;
      media.setCameraOff(off);
      button.setAttribute("aria-pressed", String(off));
      setText(button, off ? "打开摄像头" : "关闭摄像头");
      command("call.camera_off", conv, { on: off });
      break;
    }
    case "compact": {
      // Local to this page: the call goes on, only its dock shrinks.
      const compact = view.dataset.compact !== "true";
      view.dataset.compact = String(compact);
      button.setAttribute("aria-pressed", String(compact));
      setText(button, compact ? "展开" : "缩小");
      break;
    }
    case "group-open":
      command("group.open");
      break;
    case "group-close":
      if (state.group) command("group.close", "", { group: state.group.id });
      break;
    case "group-invite":
      if (state.group && pane) command("group.invite", pane.dataset.conversationId, { group: state.group.id });
      break;
    case "group-speak":
      if (state.group && member) {
        const allow = member.dataset.speaking !== "true";
        command("group.speak", member.dataset.conversationId, { group: state.group.id, on: allow });
      }
      break;
    case "group-remove":
      if (state.group && member) command("group.remove", member.dataset.conversationId, { group: state.group.id });
      break;
  }
}

page.addEventListener("click", (ev) => {
  const invite = ev.target.closest("[data-call-invite]");
  if (invite) {
    const pane = invite.closest('[data-testid="chat-pane"]');
    tones.unlock();
    if (pane) command("call.invite", pane.dataset.conversationId, { kind: invite.dataset.callInvite });
    return;
  }
  const action = ev.target.closest("[data-call-action]");
  if (action) onAction(action);
});

onSessionFrame((f, socket) => {
  switch (f.type) {
    case "hello":
      state.socket = socket;
      break;
    case "call":
      if (f.call && snapshots.fresh(`call:${f.call.conversation_id}`, f.call.version)) onCall(f.call);
      break;
    case "group":
      if (f.group && snapshots.fresh(`group:${f.group.id}`, f.group.version)) onGroup(f.group);
      break;
    case "call_sync": {
      const ids = f.items || [];
      for (const c of [...state.calls.values()]) {
        if (!ids.includes(c.id)) onCall({ ...c, state: "ended", reason: "hangup", agent: { id: "" } });
      }
      if (state.group && !ids.includes(state.group.id)) onGroup({ ...state.group, closed: true });
      break;
    }
    case "assigned":
      renderBars();
      break;
    case "released":
      // The pane of a conversation that left this seat takes its call
      // buttons with it; the call itself follows the call frames.
      renderBars();
      break;
  }
});
