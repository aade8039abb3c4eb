// Shared call code of the citizen page and the seat screen: session
// frames, the media session through rtc.js, the video elements, the ring
// and hold tones, and call labels. The hub's call state machine decides;
// these pages only send commands and show each snapshot they get.

// onSessionFrame calls handler(frame, socket) for every frame the page's
// session socket receives (ws.js dispatches them as "wenban:frame").
export function onSessionFrame(handler) {
  document.addEventListener("wenban:frame", (ev) => handler(ev.detail.frame, ev.detail.socket));
}

// Snapshots keeps the newest snapshot version per key, because frames
// of two quick changes can arrive out of order.
export class Snapshots {
  constructor() {
    this.versions = new Map();
  }

  // fresh reports whether a snapshot is newer than the last one seen.
  fresh(key, version) {
    const v = Number(version) || 0;
    if (v <= (this.versions.get(key) || 0)) return false;
    this.versions.set(key, v);
    return true;
  }
}

export const kindLabels = { voice: "语音通话", video: "视频通话" };

// rtcModule loads rtc.js, the SFU's browser client, once. A dynamic import
// keeps the chat working when it fails to load; calls then fail with a
// message.
let rtcModule = null;
function loadRTC() {
  if (!rtcModule) rtcModule = import("./rtc.js");
  return rtcModule;
}

// MediaLink is one page's presence in one SFU room: its camera and
// microphone published, and the other participants' streams shown.
// primaryPrefix picks the participant whose stream fills the remote
// video: "staff-" on the citizen page, "citizen-" on the seat. Every
// other participant plays through an audio element in audioBox.
// onState, when set, receives the peer connection's state changes.
export class MediaLink {
  constructor({ localVideo, remoteVideo, audioBox, primaryPrefix, onState }) {
    this.onState = onState;
    this.localVideo = localVideo;
    this.remoteVideo = remoteVideo;
    this.audioBox = audioBox;
    this.primaryPrefix = primaryPrefix;
    this.room = "";
    this.session = null;
    this.muted = false;
    this.cameraOff = false;
  }

  // join enters room with the microphone (and the camera when video is
  // set) and returns once rtc.js has started. micOn false starts muted.
  async join(socket, room, { video, micOn = true }) {
    if (this.room === room && this.session) return;
    this.leave();
    this.room = room;
    const { WenbanRTC } = await loadRTC();
    const session = WenbanRTC.join(socket, { room, audio: true, video: Boolean(video) });
    this.session = session;
    session.onRemote((participant, stream) => this.showRemote(participant, stream));
    if (typeof session.onLocal === "function") {
      session.onLocal((stream) => attach(this.localVideo, stream));
    }
    if (session.localStream) attach(this.localVideo, session.localStream);
    if (this.onState && typeof session.onState === "function") session.onState(this.onState);
    this.setMuted(!micOn);
  }

  showRemote(participant, stream) {
    const id = String(participant || "");
    if (!stream) {
      const el = this.audioBox && this.audioBox.querySelector(`[data-participant="${CSS.escape(id)}"]`);
      if (el) el.remove();
      return;
    }
    if (this.remoteVideo && id.startsWith(this.primaryPrefix)) {
      attach(this.remoteVideo, stream);
      return;
    }
    if (!this.audioBox) return;
    let el = this.audioBox.querySelector(`[data-participant="${CSS.escape(id)}"]`);
    if (!el) {
      el = document.createElement("audio");
      el.autoplay = true;
      el.dataset.participant = id;
      el.dataset.testid = "remote-audio";
      this.audioBox.append(el);
    }
    attach(el, stream);
  }

  setMuted(muted) {
    this.muted = muted;
    if (this.session) this.session.setMuted("audio", muted);
  }

  setCameraOff(off) {
    this.cameraOff = off;
    if (this.session) this.session.setMuted("video", off);
  }

  leave() {
    if (this.session) this.session.leave();
    this.session = null;
    this.room = "";
    for (const v of [this.localVideo, this.remoteVideo]) if (v) v.srcObject = null;
    if (this.audioBox) this.audioBox.replaceChildren();
  }
}

// attach plays stream in a media element. A browser that blocks sound
// before a user gesture rejects play(), so the element starts muted and
// regains its sound at the next click or key press.
function attach(el, stream) {
  if (!el || el.srcObject === stream) return;
  el.srcObject = stream;
  const played = el.play();
  if (!played || typeof played.catch !== "function") return;
  played.catch(() => {
    if (el.muted) return;
    el.muted = true;
    el.play().catch(() => {});
    const unmute = () => {
      el.muted = false;
      window.removeEventListener("pointerdown", unmute, true);
      window.removeEventListener("keydown", unmute, true);
    };
    window.addEventListener("pointerdown", unmute, true);
    window.addEventListener("keydown", unmute, true);
  });
}

// Tones plays the ring and hold tones with the Web Audio API. Browsers
// keep an AudioContext suspended until a user gesture, so unlock() runs
// on the page's first click or key press and on every call button.
export class Tones {
  constructor() {
    this.ctx = null;
    this.timer = 0;
    this.playing = "";
    const unlock = () => this.unlock();
    window.addEventListener("pointerdown", unlock, true);
    window.addEventListener("keydown", unlock, true);
  }

  unlock() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      if (!this.ctx) this.ctx = new Context();
      if (this.ctx.state === "suspended") this.ctx.resume();
    } catch {
      this.ctx = null;
    }
  }

  // start repeats a tone until stop: "ring" is two short high notes every
  // 2 s, "hold" one low 450 Hz beep every 2.5 s.
  start(kind) {
    if (this.playing === kind) return;
    this.stop();
    this.unlock();
    this.playing = kind;
    const every = kind === "hold" ? 2500 : 2000;
    const play = () => this.play(kind);
    play();
    this.timer = setInterval(play, every);
  }

  play(kind) {
    const ctx = this.ctx;
    if (!ctx) return;
    const at = ctx.currentTime + 0.01;
    if (kind === "hold") {
      note(ctx, 450, at, 0.4, 0.12);
      return;
    }
    note(ctx, 880, at, 0.15, 0.15);
    note(ctx, 1175, at + 0.2, 0.2, 0.15);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = 0;
    this.playing = "";
  }
}

// note plays one sine note of frequency (Hz), length (s) and peak gain,
// with a short attack and decay so it does not click.
function note(ctx, frequency, start, length, peak) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "sine";
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(peak, start + 0.03);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
  osc.connect(gain).connect(ctx.destination);
  osc.start(start);
  osc.stop(start + length + 0.03);
}

// peerStateText describes the other side's switches, or "" when both are on.
export function peerStateText(side, who, video) {
  const parts = [];
  if (side && side.muted) parts.push(`${who}已静音`);
  if (video && side && side.camera_off) parts.push(`${who}已关闭摄像头`);
  return parts.join("，");
}

export const endTexts = {
  hangup: "通话已结束。",
  declined: "对方已拒绝通话，您可以继续文字交流。",
  cancelled: "通话已取消。",
  timeout: "无人接听，已转为文字交流。",
  closed: "通话已结束。",
  seat_gone: "客服已离线，通话已结束，正在为您转接其他客服。",
};
