// Files in the chat: images with a preview and a click-to-enlarge view,
// file cards and voice messages. The citizen page records voice while a
// button is held, the seat screen between two clicks, and the seat
// screen also takes pasted and dropped images. History pages list a
// conversation's files and recorded calls. Uploads go to the hub as the
// raw request body, and the line they post arrives over the WebSocket
// like any other.
//
// Every name and text reaches the page through textContent; URLs are
// built from attachment ids only.

// fillAttachment shows m's attachment inside the line li, or removes the
// one a recalled line showed.
export function fillAttachment(li, m) {
  const old = li.querySelector(".attachment");
  if (old) old.remove();
  if (!m || m.recalled || !m.attachment) {
    li.classList.remove("has-attachment");
    return;
  }
  const node = renderAttachment(m.kind, m.attachment);
  if (!node) return;
  li.classList.add("has-attachment");
  const text = li.querySelector('[data-field="text"]');
  if (text) text.hidden = true;
  li.append(node);
}

function attachmentURL(id, params) {
  const q = new URLSearchParams(params || {}).toString();
  return `/attachments/${encodeURIComponent(id)}${q ? `?${q}` : ""}`;
}

function renderAttachment(kind, a) {
  switch (kind) {
    case "image": return renderImage(a);
    case "voice": return renderVoice(a);
    case "file": return renderFile(a);
    default: return null;
  }
}

function renderImage(a) {
  const fig = document.createElement("figure");
  fig.className = "attachment attachment-image";
  fig.dataset.testid = "attachment-image";
  const img = document.createElement("img");
  const hasPreview = (a.renditions || []).includes("preview");
  img.src = attachmentURL(a.id, hasPreview ? { r: "preview" } : {});
  img.alt = a.name || "图片";
  img.loading = "lazy";
  img.dataset.testid = "attachment-preview";
  img.tabIndex = 0;
  img.title = "点击查看大图";
  const open = () => openViewer(a);
  img.addEventListener("click", open);
  img.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") open();
  });
  const cap = document.createElement("figcaption");
  cap.textContent = a.name || "";
  fig.append(img, cap);
  return fig;
}

// openViewer shows the full image over the page; a click or Escape
// closes it.
function openViewer(a) {
  let dlg = document.querySelector('[data-testid="image-viewer"]');
  if (!dlg) {
    dlg = document.createElement("dialog");
    dlg.className = "image-viewer";
    dlg.dataset.testid = "image-viewer";
    const img = document.createElement("img");
    img.dataset.testid = "image-viewer-img";
    const hint = document.createElement("p");
    hint.textContent = "点击任意位置关闭";
    dlg.append(img, hint);
    dlg.addEventListener("click", () => dlg.close());
    document.body.append(dlg);
  }
  const img = dlg.querySelector("img");
  img.src = attachmentURL(a.id);
  img.alt = a.name || "图片";
  if (typeof dlg.showModal === "function") dlg.showModal();
  else dlg.setAttribute("open", "");
}

// Source types as the <audio> element tests them. The MP4 rendition comes
// first because Safari 17 and later plays Opus in MP4 but WebM Opus only
// unreliably; Chrome and Firefox play either.
const sourceTypes = {
  mp4: 'audio/mp4; codecs="opus"',
  webm: 'audio/webm; codecs="opus"',
};

function renderVoice(a) {
  const wrap = document.createElement("div");
  wrap.className = "attachment attachment-voice";
  const audio = document.createElement("audio");
  audio.controls = true;
  audio.preload = "metadata";
  audio.dataset.testid = "attachment-voice";
  const renditions = a.renditions || [];
  for (const r of ["mp4", "webm"]) {
    if (!renditions.includes(r)) continue;
    const src = document.createElement("source");
    src.src = attachmentURL(a.id, { r });
    src.type = sourceTypes[r];
    audio.append(src);
  }
  const original = document.createElement("source");
  original.src = attachmentURL(a.id);
  if (a.type) original.type = a.type;
  audio.append(original);
  // The player shows the length itself, so the row carries it only for
  // screen readers.
  if (a.duration_ms) audio.setAttribute("aria-label", `语音 ${Math.max(1, Math.round(a.duration_ms / 1000))} 秒`);
  wrap.append(audio);
  return wrap;
}

function renderFile(a) {
  const link = document.createElement("a");
  link.className = "attachment attachment-file";
  link.dataset.testid = "attachment-file";
  link.href = attachmentURL(a.id, { download: "1" });
  link.rel = "noopener";
  const name = document.createElement("span");
  name.className = "file-name";
  name.textContent = a.name || "文件";
  const size = document.createElement("span");
  size.className = "file-size";
  size.textContent = formatSize(a.size);
  link.append(name, size);
  return link;
}

export function formatSize(n) {
  if (!n && n !== 0) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// ---- uploads ----

// Messages for replies that carry no JSON error, such as one cut off by
// a proxy. The hub's own replies name the limit that was passed.
const uploadErrors = {
  408: "上传超时，文件未发送。请在网络较好时重试，或压缩文件后再发送。",
  413: "文件过大，请压缩后再发送。",
  415: "暂不支持发送该类型的文件，请转换为常用格式后再发送。",
  422: "文件已损坏或格式不正确，请重新录制或选择。",
  507: "系统存储空间不足，暂时无法接收文件，请稍后再试或联系工作人员。",
};

function newUploadID() {
  const b = new Uint8Array(12);
  window.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// upload posts one file. bar is the attachment bar of the page or pane,
// whose data-upload-url and enclosing data-conversation-id name the
// target.
// tooLarge returns the message for a picture or file over the hub's
// limit, which the page carries, so a 30 MB file is refused before it is
// sent rather than after; "" when it fits or no limit is known.
function tooLarge(kind, file) {
  const page = document.querySelector("[data-max-file-bytes]");
  if (!page || kind === "voice") return "";
  const max = Number(kind === "image" ? page.dataset.maxImageBytes : page.dataset.maxFileBytes);
  if (!max || file.size <= max) return "";
  const noun = kind === "image" ? "图片" : "文件";
  return `${noun}超过 ${(max / (1 << 20)).toFixed(max % (1 << 20) ? 1 : 0)} MB 的大小上限，请压缩后再发送。`;
}

async function upload(bar, kind, file, name) {
  const over = tooLarge(kind, file);
  if (over) {
    setStatus(bar, over, true);
    return false;
  }
  const params = { kind, name: name || file.name || "", client_id: newUploadID() };
  const conversation = bar.closest("[data-conversation-id]");
  if (bar.dataset.seat === "true" && conversation) params.conversation = conversation.dataset.conversationId;
  const headers = { "Content-Type": "application/octet-stream" };
  if (bar.dataset.seat === "true") headers["X-CSRF-Token"] = csrfToken();
  setStatus(bar, "正在发送……", false);
  try {
    const resp = await fetch(`${bar.dataset.uploadUrl}?${new URLSearchParams(params)}`, {
      method: "POST",
      credentials: "same-origin",
      headers,
      body: file,
    });
    if (resp.ok) {
      setStatus(bar, await renameNotice(resp, kind, params.name), false);
      return true;
    }
    let msg = uploadErrors[resp.status] || "发送失败，请稍后重试。";
    try {
      const data = await resp.json();
      if (data && data.error) msg = data.error;
    } catch {
      // The reply was not JSON; keep the message for its status.
    }
    setStatus(bar, msg, true);
  } catch {
    setStatus(bar, "网络异常，文件未发送，请稍后重试。", true);
  }
  return false;
}

// renameNotice tells the sender when the hub stored the file under another
// name, as it does when the extension does not match the file's real type.
async function renameNotice(resp, kind, sentName) {
  if (kind === "voice" || sentName === "") return "";
  let stored = "";
  try {
    const data = await resp.json();
    stored = (data && data.message && data.message.attachment && data.message.attachment.name) || "";
  } catch {
    return "";
  }
  if (stored === "" || stored === sentName) return "";
  return `文件已发送。系统已按文件的实际类型将文件名改为“${stored}”。`;
}

// csrfToken reads the session's token from the seat page's logout form.
function csrfToken() {
  const input = document.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

function setStatus(bar, text, isError) {
  const s = bar.querySelector('[data-testid="attach-status"]');
  if (!s) return;
  s.textContent = text;
  s.hidden = text === "";
  s.classList.toggle("field-error", isError);
}

function isImage(file) {
  return /^image\/(png|jpeg|gif|webp)$/.test(file.type);
}

function sendFiles(bar, files, forceKind) {
  for (const f of files) {
    upload(bar, forceKind || (isImage(f) ? "image" : "file"), f);
  }
}

// ---- voice ----

// recorderType picks what MediaRecorder writes: WebM/Opus on Chrome and
// Firefox, MP4 on Safari, which records no WebM.
function recorderType() {
  if (typeof MediaRecorder === "undefined") return null;
  for (const t of ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"]) {
    if (MediaRecorder.isTypeSupported(t)) return t;
  }
  return "";
}

class VoiceRecorder {
  constructor(bar) {
    this.bar = bar;
    this.max = Number(bar.dataset.maxVoiceSeconds || 60) * 1000;
    this.recorder = null;
    this.cancelled = false;
  }

  async start() {
    if (this.recorder || this.starting) return;
    this.starting = true;
    this.stopWanted = false;
    try {
      await this.open();
    } finally {
      this.starting = false;
    }
    // A release during the microphone prompt still sends the recording.
    if (this.stopWanted) this.stop();
  }

  async open() {
    const type = recorderType();
    if (type === null || !navigator.mediaDevices) {
      setStatus(this.bar, "当前浏览器不支持录音，请改用文字或升级浏览器。", true);
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setStatus(this.bar, "无法使用麦克风，请在浏览器设置中允许本网站使用麦克风。", true);
      return;
    }

    const rec = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const chunks = [];
    this.recorder = rec;
    this.cancelled = false;
    this.started = Date.now();
    rec.addEventListener("dataavailable", (ev) => {
      if (ev.data && ev.data.size > 0) chunks.push(ev.data);
    });
    rec.addEventListener("stop", () => this.finish(stream, chunks, rec.mimeType || type));

    rec.start();
    this.bar.dataset.recording = "true";
    setStatus(this.bar, "正在录音……松开或再次点击即可发送", false);
    this.timer = setTimeout(() => this.stop(), this.max);
  }

  // finish releases the microphone and sends the recording unless it was
  // cancelled or too short to hold words.
  finish(stream, chunks, type) {
    for (const t of stream.getTracks()) t.stop();
    this.recorder = null;
    this.bar.dataset.recording = "false";
    clearTimeout(this.timer);
    if (this.cancelled) {
      setStatus(this.bar, "已取消录音。", false);
      return;
    }
    if (Date.now() - this.started < 800) {
      setStatus(this.bar, "说话时间太短，请按住按钮再说。", true);
      return;
    }

    const blob = new Blob(chunks, { type });
    const ext = type.includes("mp4") ? "m4a" : "webm";
    upload(this.bar, "voice", blob, `语音.${ext}`);
  }

  stop() {
    if (this.starting) {
      this.stopWanted = true;
      return;
    }
    if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
  }

  cancel() {
    this.cancelled = true;
    this.stop();
  }
}

const recorders = new WeakMap();

function recorderOf(bar) {
  let r = recorders.get(bar);
  if (!r) {
    r = new VoiceRecorder(bar);
    recorders.set(bar, r);
  }
  return r;
}

// ---- wiring ----

function barOf(target) {
  const pane = target.closest('[data-conversation-id], [data-testid="citizen-page"]');
  const bar = target.closest('[data-testid="attach-bar"]');
  if (bar) return bar;
  return pane ? pane.querySelector('[data-testid="attach-bar"]') : null;
}

document.addEventListener("click", (ev) => {
  const btn = ev.target.closest("[data-attach-action]");
  if (!btn) return;
  const bar = barOf(btn);
  if (!bar) return;
  const action = btn.dataset.attachAction;
  if (action === "image" || action === "file") {
    const input = bar.querySelector(`input[data-attach-input="${action}"]`);
    if (input) input.click();
  } else if (action === "voice-toggle") {
    const r = recorderOf(bar);
    if (r.recorder) r.stop();
    else r.start();
  }
});

document.addEventListener("change", (ev) => {
  const input = ev.target.closest("input[data-attach-input]");
  if (!input || !input.files) return;
  const bar = barOf(input);
  if (bar) sendFiles(bar, Array.from(input.files), input.dataset.attachInput);
  input.value = "";
});

// Hold to record: the citizen's button records while pressed and sends
// on release; sliding off the button cancels.
document.addEventListener("pointerdown", (ev) => {
  const btn = ev.target.closest('[data-attach-action="voice-hold"]');
  if (!btn || btn.disabled) return;
  ev.preventDefault();
  const bar = barOf(btn);
  if (!bar) return;
  try {
    btn.setPointerCapture(ev.pointerId);
  } catch {
    // Capture only keeps the release on the button; recording works without.
  }
  recorderOf(bar).start();
  const detach = () => {
    btn.removeEventListener("pointerup", onUp);
    btn.removeEventListener("pointercancel", onCancel);
  };
  const onUp = (up) => {
    detach();
    const box = btn.getBoundingClientRect();
    const inside = up.clientX >= box.left && up.clientX <= box.right && up.clientY >= box.top && up.clientY <= box.bottom;
    if (inside) recorderOf(bar).stop();
    else recorderOf(bar).cancel();
  };
  const onCancel = () => {
    detach();
    recorderOf(bar).cancel();
  };
  btn.addEventListener("pointerup", onUp);
  btn.addEventListener("pointercancel", onCancel);
});

// Paste and drag-and-drop of images into a seat pane.
document.addEventListener("paste", (ev) => {
  const bar = barOf(ev.target);
  if (!bar || bar.dataset.seat !== "true" || !ev.clipboardData) return;
  const files = Array.from(ev.clipboardData.files || []).filter(isImage);
  if (files.length === 0) return;
  ev.preventDefault();
  sendFiles(bar, files, "image");
});

document.addEventListener("dragover", (ev) => {
  const pane = ev.target.closest ? ev.target.closest('[data-testid="chat-pane"]') : null;
  if (!pane || !ev.dataTransfer || !Array.from(ev.dataTransfer.types).includes("Files")) return;
  ev.preventDefault();
  pane.dataset.dropping = "true";
});

document.addEventListener("dragleave", (ev) => {
  const pane = ev.target.closest ? ev.target.closest('[data-testid="chat-pane"]') : null;
  if (pane) delete pane.dataset.dropping;
});

document.addEventListener("drop", (ev) => {
  const pane = ev.target.closest ? ev.target.closest('[data-testid="chat-pane"]') : null;
  if (!pane || !ev.dataTransfer || ev.dataTransfer.files.length === 0) return;
  ev.preventDefault();
  delete pane.dataset.dropping;
  const bar = pane.querySelector('[data-testid="attach-bar"]');
  if (bar) sendFiles(bar, Array.from(ev.dataTransfer.files));
});

// ---- history page ----

// fillHistory lists a closed conversation's attachments and recorded
// calls on its history page.
async function fillHistory(panel) {
  const id = panel.dataset.conversationId;
  let data;
  try {
    const resp = await fetch(`/seat/api/conversations/${encodeURIComponent(id)}/attachments`, { credentials: "same-origin" });
    if (!resp.ok) throw new Error(String(resp.status));
    data = await resp.json();
  } catch {
    const err = panel.querySelector('[data-testid="history-files-error"]');
    if (err) err.hidden = false;
    return;
  }
  fillList(panel.querySelector('[data-testid="recording-list"]'), data.recordings || [], renderRecording);
  fillList(panel.querySelector('[data-testid="history-file-list"]'), data.attachments || [],
    (a) => renderAttachment(a.kind, a));
}

// fillList renders items into list. Each list's empty note is the
// element just before it. Both lists share one section, so a search of
// the section would find the first list's note for both.
function fillList(list, items, render) {
  if (!list) return;
  const empty = list.previousElementSibling;
  if (empty && empty.hasAttribute("data-empty-note")) empty.hidden = items.length > 0;
  for (const item of items) {
    const li = document.createElement("li");
    const node = render(item);
    if (node) li.append(node);
    list.append(li);
  }
}

function renderRecording(r) {
  const wrap = document.createElement("div");
  wrap.className = "attachment attachment-recording";
  wrap.dataset.testid = "recording";
  const player = document.createElement(r.type && r.type.startsWith("video/") ? "video" : "audio");
  player.controls = true;
  player.preload = "metadata";
  player.dataset.testid = "recording-player";
  player.src = attachmentURL(r.id);
  const meta = document.createElement("p");
  meta.className = "recording-meta";
  const at = new Date(r.created_at);
  const secs = Math.round((r.duration_ms || 0) / 1000);
  meta.textContent = `${Number.isNaN(at.getTime()) ? "" : at.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hourCycle: "h23" })} · 时长 ${Math.floor(secs / 60)} 分 ${secs % 60} 秒 · ${formatSize(r.size)}`;
  const link = document.createElement("a");
  link.href = attachmentURL(r.id, { download: "1" });
  link.textContent = "下载";
  meta.append(" · ", link);
  wrap.append(player, meta);
  return wrap;
}

for (const panel of document.querySelectorAll('[data-testid="history-files"]')) fillHistory(panel);

// Lines the server rendered (a reloaded workbench, a history page) carry
// their attachment as JSON in data-attachment.
for (const li of document.querySelectorAll("li[data-attachment]")) {
  try {
    fillAttachment(li, JSON.parse(li.dataset.attachment));
  } catch {
    // A line whose attachment cannot be read keeps its text summary.
  }
}
