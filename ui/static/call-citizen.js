// The citizen page's calls: call buttons while a staff member serves the
// conversation, the ringing prompt, the call view with the hold banner
// and hold tone, and a group window joined by invitation or by its link
// (/?group=ID).
import { MediaLink, Snapshots, Tones, endTexts, kindLabels, onSessionFrame, peerStateText } from "./call.js";
import { byTestID, setText, show, staffName } from "./ws.js";

const page = document;
const el = (id) => byTestID(page, id);

const view = el("call-view");
const tones = new Tones();
const snapshots = new Snapshots();
const media = new MediaLink({
  localVideo: el("call-local-video"),
  remoteVideo: el("call-remote-video"),
  audioBox: el("call-remote-audio"),
  primaryPrefix: "staff-",
  onState: showConnection,
});

const state = {
  socket: null,
  served: false,
  // call is the latest call snapshot, null when there is none.
  call: null,
  // group is the group window the citizen is in, null when none.
  group: null,
  invitedGroup: "",
  // linkGroup is the group window named by the page's link, joined once
  // the session is open.
  linkGroup: new URLSearchParams(window.location.search).get("group") || "",
};

function command(type, args) {
  if (!state.socket) return false;
  return state.socket.command({ type, call: args || {} });
}

function setViewState(s) {
  view.dataset.state = s;
  show(view, s !== "idle");
}

function renderCallBar() {
  show(el("call-bar"), state.served && !state.call && !state.group);
}

function renderCall(c) {
  const live = c.state === "live" || c.state === "held";
  state.call = c.state === "ended" ? null : c;
  view.dataset.mode = "call";
  view.dataset.kind = c.kind;
  show(el("group-speak-state"), false);
  show(el("call-camera"), c.kind === "video");

  const notice = el("call-recording-notice");
  setText(notice, c.recording_notice || "");
  show(notice, Boolean(c.recording && c.state !== "ended"));

  if (c.state === "ringing") {
    const incoming = c.caller === "staff";
    setText(el("call-status"), incoming
      ? `${staffName(c.agent.name)}邀请您进行${kindLabels[c.kind]}`
      : `正在呼叫${staffName(c.agent.name)}，请稍候……`);
    show(el("call-ring"), incoming);
    show(el("call-controls"), !incoming);
    if (incoming) tones.start("ring");
    else tones.stop();
  } else {
    show(el("call-ring"), false);
    show(el("call-controls"), live);
  }

  showHold(c.state === "held");
  const peer = el("call-peer-state");
  const peerText = live ? peerStateText(c.staff, "客服", c.kind === "video") : "";
  setText(peer, peerText);
  show(peer, peerText !== "");

  if (live) {
    if (c.state === "live") setText(el("call-status"), `${kindLabels[c.kind]}中（${staffName(c.agent.name)}）`);
    media.join(state.socket, c.room, { video: c.kind === "video", micOn: !media.muted }).catch(failed);
  }
  if (c.state === "ended") {
    tones.stop();
    media.leave();
    resetSwitches();
    // The end of a call is news, not a failure, so it shows in the neutral
    // tone; citizen.js clears the tone for its next error.
    const ended = el("chat-error");
    setText(ended, endTexts[c.reason] || endTexts.hangup);
    ended.dataset.tone = "info";
    show(ended, true);
    setViewState("idle");
  } else {
    setViewState(c.state);
  }
  renderCallBar();
}

function showHold(held) {
  const banner = el("call-hold-banner");
  show(banner, held);
  banner.dataset.tone = held ? "playing" : "off";
  if (held) {
    setText(el("call-status"), "通话保持中");
    tones.start("hold");
  } else if (tones.playing === "hold") {
    tones.stop();
  }
}

function renderGroup(g) {
  if (!g.member || g.closed) {
    if (state.group && state.group.id === g.id) {
      state.group = null;
      media.leave();
      resetSwitches();
      let text = g.closed ? "集体服务窗口已关闭。" : "您已离开集体服务窗口。";
      if (g.closed && g.seat_gone) text = "客服已离线，集体服务窗口已关闭。";
      setText(el("chat-error"), text);
      show(el("chat-error"), true);
      setViewState("idle");
    }
    renderCallBar();
    return;
  }
  state.group = g;
  show(el("group-invite"), false);

  view.dataset.mode = "group";
  view.dataset.speaking = String(g.speaking);
  show(el("call-ring"), false);
  show(el("call-controls"), true);
  show(el("call-camera"), false);
  show(el("call-hold-banner"), false);
  const notice = el("call-recording-notice");
  setText(notice, g.recording_notice || "");
  show(notice, Boolean(g.recording_notice));

  setText(el("call-status"), `集体服务窗口（${staffName(g.agent_name)}，共 ${g.members} 位市民）`);
  const speak = el("group-speak-state");
  setText(speak, g.speaking ? "客服已允许您发言，麦克风已开启。" : "请先聆听，客服允许后您才能发言。");
  show(speak, true);

  const mute = el("call-mute");
  mute.disabled = !g.speaking;
  media.join(state.socket, g.room, { video: false, micOn: g.speaking }).catch(failed);
  media.setMuted(!g.speaking);
  setPressed(mute, !g.speaking);
  setViewState("group");
  renderCallBar();
}

// showConnection tells the citizen when the media connection drops;
// rtc.js restarts ICE meanwhile, and the status returns on reconnect.
function showConnection(s) {
  view.dataset.connection = s;
  if (s === "disconnected" || s === "failed") {
    setText(el("call-status"), "网络不稳定，正在重新连接……");
  } else if (s === "connected" && state.call) {
    renderCall(state.call);
  } else if (s === "connected" && state.group) {
    renderGroup(state.group);
  }
}

function failed(err) {
  setText(el("chat-error"), "无法打开摄像头或麦克风，请检查浏览器权限后重试。");
  show(el("chat-error"), true);
  if (window.console) console.warn("call media failed", err);
}

function setPressed(button, on) {
  button.setAttribute("aria-pressed", String(on));
}

function resetSwitches() {
  media.muted = false;
  media.cameraOff = false;
  setPressed(el("call-mute"), false);
  setPressed(el("call-camera"), false);
  setText(el("call-mute"), "静音");
  setText(el("call-camera"), "关闭摄像头");
  el("call-mute").disabled = false;
}

function onAction(action) {
  tones.unlock();
  switch (action) {
    case "accept":
      tones.stop();
      command("call.accept");
      break;
    case "decline":
      tones.stop();
      command("call.decline");
      break;
    case "hangup":
      if (state.group) command("group.leave", { group: state.group.id });
      else command("call.hangup");
      break;
    case "mute": {
      const muted = !media.muted;
      media.setMuted(muted);
      setPressed(el("call-mute"), muted);
      setText(el("call-mute"), muted ? "取消静音" : "静音");
      if (state.call) command("call.mute", { on: muted });
      break;
    }
    case "camera": {
      const off = !media.cameraOff;
      media.setCameraOff(off);
      setPressed(el("call-camera"), off);
      setText(el("call-camera"), off ? "打开摄像头" : "关闭摄像头");
      command("call.camera_off", { on: off });
      break;
    }
    case "group-join":
      command("group.join", { group: state.invitedGroup });
      show(el("group-invite"), false);
      break;
    case "group-ignore":
      show(el("group-invite"), false);
      break;
  }
}

page.addEventListener("click", (ev) => {
  const invite = ev.target.closest("[data-call-invite]");
  if (invite) {
    tones.unlock();
    show(el("chat-error"), false);
    command("call.invite", { kind: invite.dataset.callInvite });
    return;
  }
  const action = ev.target.closest("[data-call-action]");
  if (action) onAction(action.dataset.callAction);
});

onSessionFrame((f, socket) => {
  switch (f.type) {
    case "hello":
      state.socket = socket;
      if (state.linkGroup) command("group.join", { group: state.linkGroup });
      break;
    case "state":
      state.served = Boolean(f.conversation && f.conversation.state === "serving");
      if (f.conversation && f.conversation.state === "closed") {
        tones.stop();
        media.leave();
        setViewState("idle");
        state.call = null;
        state.group = null;
      }
      renderCallBar();
      break;
    case "call":
      if (f.call && snapshots.fresh("call", f.call.version)) renderCall(f.call);
      break;
    case "group":
      if (!f.group || !snapshots.fresh("group", f.group.version)) break;
      if (f.group.member && state.linkGroup === f.group.id) {
        // Joined from the link: a reload must not rejoin after leaving.
        state.linkGroup = "";
        const url = new URL(window.location.href);
        url.searchParams.delete("group");
        window.history.replaceState(null, "", url);
      }
      renderGroup(f.group);
      break;
    case "call_sync": {
      // The hub lists what is still in progress after a reconnect; a call
      // or window that ended meanwhile is closed here.
      const ids = f.items || [];
      if (state.call && !ids.includes(state.call.id)) renderCall({ ...state.call, state: "ended", reason: "hangup" });
      if (state.group && !ids.includes(state.group.id)) renderGroup({ ...state.group, member: false });
      break;
    }
    case "group_invite":
      if (!f.group || state.group) break;
      state.invitedGroup = f.group.id;
      setText(el("group-invite").querySelector('[data-field="text"]'),
        `${staffName(f.group.agent_name)}邀请您加入集体服务窗口，加入后请先聆听，客服允许后可以发言。`);
      show(el("group-invite"), true);
      break;
  }
});
