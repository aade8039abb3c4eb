// rtc.js is the browser side of the hub's SFU: one RTCPeerConnection per
// page and room, signalled over the session WebSocket (ws.js) with the
// call.media frames of docs/session-protocol.md.
//
// The hub sends every offer. Its first offer has one receive-only audio
// and one video section, where this page puts its microphone and camera,
// and each later offer adds or removes one send section per remote
// track. Remote streams have the id "wenban-<participant id>".
//
// API:
//   const rtc = WenbanRTC.join(socket, { room, audio: true, video: true });
//   rtc.onLocal((stream) => ...);            // camera and microphone opened
//   rtc.onRemote((participantID, stream) => ...); // stream null: participant left
//   rtc.onState((state) => ...);             // RTCPeerConnection.connectionState
//   rtc.setMuted("audio" | "video", bool);   // no renegotiation
//   rtc.stats();                             // Promise of RTCStatsReport
//   rtc.restart();                           // request an ICE restart now
//   rtc.leave();
//
// Recovery: when the connection fails, stays disconnected for
// RESTART_AFTER_MS, or the browser reports a network change, the page
// requests an ICE restart from the hub. When the socket reconnects (a "hello"
// frame), the page opens a new peer connection and joins again; the hub
// evicts the old participant of the same id, so a reload rejoins within
// a second or two.

const RESTART_AFTER_MS = 3000;

// recvSections returns the m-sections of an SDP offer in which the hub
// receives, as {mid, kind}: those carry this page's tracks.
function recvSections(sdp) {
  const out = [];
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const kind = section.split(" ", 1)[0];
    const mid = /\r?\na=mid:(\S+)/.exec(section);
    if (mid && /\r?\na=recvonly/.test(section)) out.push({ mid: mid[1], kind });
  }
  return out;
}

class Session {
  constructor(socket, { room, audio = true, video = false }) {
    this.socket = socket;
    this.room = room;
    this.closed = false;
    this.localStream = null;
    this.handlers = { remote: [], local: [], state: [] };
    this.streams = new Map();
    this.muted = { audio: false, video: false };
    this.iceServers = [];
    this.chain = Promise.resolve();
    this.pc = null;
    this.restartTimer = 0;

    this.onFrameEvent = (ev) => this.onFrame(ev.detail.frame);
    this.onNetworkChange = () => this.restart();
    document.addEventListener("wenban:frame", this.onFrameEvent);
    window.addEventListener("online", this.onNetworkChange);
    if (navigator.connection) navigator.connection.addEventListener("change", this.onNetworkChange);
    this.ready = this.start(audio, video);
  }

  async start(audio, video) {
    try {
      this.localStream = await navigator.mediaDevices.getUserMedia({ audio, video });
    } catch (err) {
      // A page without a camera still joins with its microphone.
      if (!video) throw err;
      this.localStream = await navigator.mediaDevices.getUserMedia({ audio, video: false });
    }
    if (this.closed) {
      this.stopLocal();
      return;
    }
    for (const t of this.localStream.getTracks()) t.enabled = !this.muted[t.kind];
    for (const h of this.handlers.local) h(this.localStream);
    this.connect();
  }

  // connect opens a fresh peer connection and joins the room, at start
  // and after the socket reconnects, because the hub closes a page's
  // participants when its socket closes.
  connect() {
    if (this.pc) this.pc.close();
    for (const id of [...this.streams.keys()]) this.dropRemote(id);
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    pc.onicecandidate = (e) => {
      if (this.pc !== pc) return;
      this.signal({ type: "candidate", candidate: e.candidate ? e.candidate.toJSON() : { candidate: "" } });
    };
    pc.ontrack = (e) => this.onTrack(e);
    pc.onconnectionstatechange = () => this.onConnectionState(pc);
    this.socket.command({ type: "call.media.join", call: { room: this.room } });
  }

  onConnectionState(pc) {
    if (this.pc !== pc) return;
    const state = pc.connectionState;
    for (const h of this.handlers.state) h(state);
    clearTimeout(this.restartTimer);
    if (state === "failed") this.restart();
    if (state === "disconnected") this.restartTimer = setTimeout(() => this.restart(), RESTART_AFTER_MS);
  }

  // restart requests a hub offer with new ICE credentials.
  restart() {
    if (this.closed || !this.pc || this.pc.connectionState === "new") return;
    this.signal({ type: "restart" });
  }

  onFrame(f) {
    if (this.closed || !f) return;
    if (f.type === "hello" && this.localStream) {
      this.connect();
      return;
    }
    if (f.type !== "call_media" || !f.media || f.media.room !== this.room) return;
    const pc = this.pc;
    this.chain = this.chain
      .then(() => this.apply(pc, f.media.signal))
      .catch((err) => console.warn("rtc signalling failed", err));
  }

  async apply(pc, sig) {
    if (!sig || pc !== this.pc || this.closed) return;
    switch (sig.type) {
      case "config":
        this.iceServers = sig.iceServers || [];
        pc.setConfiguration({ iceServers: this.iceServers });
        return;
      case "offer":
        await this.answer(pc, sig.sdp);
        return;
      case "candidate":
        if (sig.candidate && sig.candidate.candidate) await pc.addIceCandidate(sig.candidate);
        return;
    }
  }

  async answer(pc, sdp) {
    // The page never offers, but a pending local description would make
    // the hub's offer fail, so the polite side rolls it back.
    if (pc.signalingState === "have-local-offer") await pc.setLocalDescription({ type: "rollback" });
    await pc.setRemoteDescription({ type: "offer", sdp });
    await this.attachLocal(pc, sdp);
    await pc.setLocalDescription(await pc.createAnswer());
    this.signal({ type: "answer", sdp: pc.localDescription.sdp });
  }

  // attachLocal puts each local track on the hub's receive section of its
  // kind, the first time that section appears.
  async attachLocal(pc, sdp) {
    const used = new Set(pc.getSenders().map((s) => s.track).filter(Boolean));
    for (const { mid, kind } of recvSections(sdp)) {
      const t = pc.getTransceivers().find((x) => x.mid === mid);
      if (!t || t.sender.track) continue;
      const track = this.localStream.getTracks().find((x) => x.kind === kind && !used.has(x));
      if (!track) continue;
      used.add(track);
      t.direction = "sendonly";
      await t.sender.replaceTrack(track);
    }
  }

  onTrack(e) {
    const stream = e.streams && e.streams[0];
    if (!stream) return;
    const id = stream.id.replace(/^wenban-/, "");
    this.streams.set(id, stream);
    for (const h of this.handlers.remote) h(id, stream);
    e.track.addEventListener("ended", () => {
      if (stream.getTracks().every((t) => t.readyState === "ended")) this.dropRemote(id);
    });
    stream.addEventListener("removetrack", () => {
      if (stream.getTracks().length === 0) this.dropRemote(id);
    });
  }

  dropRemote(id) {
    if (!this.streams.delete(id)) return;
    for (const h of this.handlers.remote) h(id, null);
  }

  signal(sig) {
    this.socket.command({ type: "call.media.signal", call: { room: this.room, signal: sig } });
  }

  // onRemote calls handler(participantID, stream) for each remote stream,
  // now and later, and with a null stream when the participant leaves.
  onRemote(handler) {
    this.handlers.remote.push(handler);
    for (const [id, stream] of this.streams) handler(id, stream);
  }

  // onLocal calls handler(stream) once the camera and microphone are open.
  onLocal(handler) {
    this.handlers.local.push(handler);
    if (this.localStream) handler(this.localStream);
  }

  // onState calls handler(connectionState) on every change, for example
  // to show 正在重新连接 while "disconnected".
  onState(handler) {
    this.handlers.state.push(handler);
  }

  // setMuted switches the local tracks of kind ("audio" or "video"); a
  // muted track sends silence or black frames, so no renegotiation runs.
  setMuted(kind, muted) {
    this.muted[kind] = muted;
    if (!this.localStream) return;
    for (const t of this.localStream.getTracks()) if (t.kind === kind) t.enabled = !muted;
  }

  stats() {
    return this.pc ? this.pc.getStats() : Promise.resolve(new Map());
  }

  stopLocal() {
    if (this.localStream) for (const t of this.localStream.getTracks()) t.stop();
  }

  leave() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.restartTimer);
    document.removeEventListener("wenban:frame", this.onFrameEvent);
    window.removeEventListener("online", this.onNetworkChange);
    if (navigator.connection) navigator.connection.removeEventListener("change", this.onNetworkChange);
    this.socket.command({ type: "call.media.leave", call: { room: this.room } });
    if (this.pc) this.pc.close();
    this.pc = null;
    this.stopLocal();
    this.streams.clear();
  }
}

export const WenbanRTC = {
  join(socket, options) {
    return new Session(socket, options);
  },
};
