// The workbench's kiosk panel. While the selected conversation came from
// a virtual-window kiosk, the panel shows the terminal's state and the
// buttons 请求拍照, 请求查看屏幕, 请求控制 and 结束控制. Once the citizen
// consents on the kiosk, the panel plays the kiosk screen over WHEP
// (RFC 9725) and, in control mode, relays pointer and keyboard events.
// Positions go to the hub in the <video> element's CSS pixels with its
// size; the hub maps them to the kiosk screen and checks consent again.

const pollMillis = 1000;
const maxMisses = 5;

const panel = document.querySelector('[data-testid="kiosk-seat"]');
const part = (name) => panel.querySelector(`[data-testid="${name}"]`);
const video = part("kiosk-screen-video");

const kiosk = {
  conversation: "",
  status: null,
  player: null,
  // sending serialises input, so the kiosk gets events in order.
  sending: Promise.resolve(),
  pendingMove: null,
  // misses counts the 404 replies by conversation. A conversation keeps
  // its channel, so after maxMisses the panel stops polling it. The first
  // polls may come before the kiosk reported its conversation to the hub.
  misses: new Map(),
};

function csrfToken() {
  const input = document.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

// selectedConversation returns the selected conversation when it came
// from a kiosk, or "": other channels have no terminal to ask about.
function selectedConversation() {
  const pane = document.querySelector('[data-testid="chat-pane"]:not([hidden])');
  if (!pane || !pane.dataset.conversationId) return "";
  if (pane.dataset.channel && pane.dataset.channel !== "kiosk") return "";
  return pane.dataset.conversationId;
}

async function api(method, path, body) {
  const headers = { "X-CSRF-Token": csrfToken() };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(`/seat/api/kiosk/${encodeURIComponent(kiosk.conversation)}${path}`, init);
  let data = null;
  if (resp.status !== 204) {
    try {
      data = await resp.json();
    } catch {
      data = null;
    }
  }
  return { status: resp.status, data };
}

function showError(data, fallback) {
  const toast = document.querySelector('[data-testid="seat-error"]');
  if (!toast) return;
  toast.textContent = (data && data.error) || fallback;
  toast.hidden = false;
  setTimeout(() => (toast.hidden = true), 5000);
}

// ---- status ----

const controlText = {
  requested: "已向市民发出请求，等待市民在终端屏幕上确认……",
  active: "市民已同意，正在共享终端屏幕。",
  declined: "市民拒绝了本次请求。",
  ended: "远程控制已结束。",
};

function stateText(st) {
  if (!st.online) return "自助终端离线。";
  const parts = [];
  if (st.control === "active") {
    parts.push(st.view_only ? "正在查看终端屏幕（不发送操作）。" : "正在控制终端屏幕，点击画面即可操作。");
  } else if (controlText[st.control]) {
    parts.push(controlText[st.control]);
  }
  if (!st.call) parts.push("查看或控制屏幕前请先发起视频通话。");
  if (st.devices && st.devices.document_camera && st.devices.document_camera !== "ok") parts.push("高拍仪不可用。");
  return parts.join(" ") || "自助终端在线。";
}

function render(st) {
  kiosk.status = st;
  part("kiosk-window").textContent = st.window;
  part("kiosk-state").textContent = stateText(st);
  const pending = st.control === "requested" || st.control === "active";
  part("kiosk-end-control").disabled = !pending;
  part("kiosk-view").disabled = !st.online || !st.call || (st.control === "active" && st.view_only);
  part("kiosk-control").disabled = !st.online || !st.call || (st.control === "active" && !st.view_only);
  part("kiosk-still").disabled = !st.online;
  part("kiosk-screen").hidden = st.control !== "active";
  part("kiosk-screen-hint").textContent = st.view_only ? "仅查看，不发送操作。" : "在画面上点击、滚动和输入，操作将发送到终端。";

  if (st.control === "active" && st.screen_url && !kiosk.player) startPlayer(st.screen_url, st.screen_token);
  if (st.control !== "active" && kiosk.player) stopPlayer();
}

async function poll() {
  const id = selectedConversation();
  if (id !== kiosk.conversation) {
    stopPlayer();
    kiosk.conversation = id;
    kiosk.status = null;
  }
  if (!id || (kiosk.misses.get(id) || 0) >= maxMisses) {
    panel.hidden = true;
    return;
  }
  try {
    const { status, data } = await api("GET", "");
    if (id !== kiosk.conversation) return;
    if (status === 404) kiosk.misses.set(id, (kiosk.misses.get(id) || 0) + 1);
    if (status !== 200) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    render(data);
  } catch {
    // The next poll tries again, so a hub restart does not stop the panel.
  }
}

setInterval(poll, pollMillis);
poll();

// ---- buttons ----

async function request(path, body, fallback) {
  const { status, data } = await api("POST", path, body);
  if (status !== 204) showError(data, fallback);
  poll();
}

part("kiosk-still").addEventListener("click", () => request("/still", undefined, "拍照请求未能发送，请重试。"));
part("kiosk-view").addEventListener("click", () => request("/control", { mode: "view" }, "请求未能发送，请重试。"));
part("kiosk-control").addEventListener("click", () => request("/control", { mode: "control" }, "请求未能发送，请重试。"));
part("kiosk-end-control").addEventListener("click", () => request("/end-control", undefined, "结束控制未能发送，请重试。"));

// ---- screen player (WHEP) ----

async function startPlayer(url, token) {
  const pc = new RTCPeerConnection();
  const player = { pc, location: "", token };
  kiosk.player = player;
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.ontrack = (ev) => {
    video.srcObject = ev.streams[0] || new MediaStream([ev.track]);
  };
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringDone(pc);
    const resp = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", Authorization: `Bearer ${token}` },
      body: pc.localDescription.sdp,
    });
    if (resp.status !== 201) throw new Error(`WHEP status ${resp.status}`);
    player.location = resp.headers.get("Location") || "";
    const answer = await resp.text();
    if (kiosk.player !== player) return;
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
  } catch {
    // Dropping the player lets the next poll start a new one.
    if (kiosk.player === player) stopPlayer();
  }
}

function gatheringDone(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function stopPlayer() {
  const player = kiosk.player;
  kiosk.player = null;
  video.srcObject = null;
  if (!player) return;
  player.pc.close();
  if (player.location) {
    fetch(player.location, { method: "DELETE", headers: { Authorization: `Bearer ${player.token}` } }).catch(() => {});
  }
}

// ---- input relay ----

function controlling() {
  const st = kiosk.status;
  return Boolean(st && st.control === "active" && !st.view_only && video.videoWidth > 0);
}

function send(event) {
  kiosk.sending = kiosk.sending.then(async () => {
    const { status, data } = await api("POST", "/input", event);
    if (status === 403) {
      showError(data, "远程控制已结束。");
      poll();
    }
  }).catch(() => {});
}

function position(ev) {
  const box = video.getBoundingClientRect();
  return {
    x: ev.clientX - box.left,
    y: ev.clientY - box.top,
    view_width: box.width,
    view_height: box.height,
    frame_width: video.videoWidth,
    frame_height: video.videoHeight,
  };
}

function pointer(ev) {
  return { type: "pointer", ...position(ev) };
}

function inside(ev) {
  const p = position(ev);
  const scale = Math.min(p.view_width / p.frame_width, p.view_height / p.frame_height);
  const left = (p.view_width - p.frame_width * scale) / 2;
  const top = (p.view_height - p.frame_height * scale) / 2;
  return p.x >= left && p.x <= p.view_width - left && p.y >= top && p.y <= p.view_height - top;
}

const buttons = ["left", "middle", "right"];

// Moves are coalesced to one per animation frame, because the kiosk only
// needs the latest position.
video.addEventListener("pointermove", (ev) => {
  if (!controlling() || !inside(ev)) return;
  const first = kiosk.pendingMove === null;
  kiosk.pendingMove = pointer(ev);
  if (!first) return;
  requestAnimationFrame(() => {
    const move = kiosk.pendingMove;
    kiosk.pendingMove = null;
    if (move) send(move);
  });
});

video.addEventListener("pointerdown", (ev) => {
  if (!controlling() || !inside(ev) || !buttons[ev.button]) return;
  ev.preventDefault();
  video.focus();
  kiosk.pendingMove = null;
  send(pointer(ev));
  send({ type: "button", button: buttons[ev.button], action: "down" });
});

video.addEventListener("pointerup", (ev) => {
  if (!controlling() || !buttons[ev.button]) return;
  ev.preventDefault();
  send({ type: "button", button: buttons[ev.button], action: "up" });
});

video.addEventListener("contextmenu", (ev) => ev.preventDefault());

video.addEventListener(
  "wheel",
  (ev) => {
    if (!controlling() || ev.deltaY === 0) return;
    ev.preventDefault();
    // WheelEvent.deltaY grows downwards and REL_WHEEL upwards.
    send({ type: "wheel", delta: ev.deltaY > 0 ? -1 : 1 });
  },
  { passive: false },
);

// Keys pass as KeyboardEvent.key. The kiosk accepts printable ASCII and
// its list of named keys and rejects the rest.
video.addEventListener("keydown", (ev) => {
  if (!controlling() || ev.isComposing) return;
  if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
  ev.preventDefault();
  send({ type: "key", key: ev.key });
});
