// Seat workbench view helpers: the Chinese labels and the functions that
// fill cloned templates from hub frames. All user text is set with
// textContent.
import { field, cloneTemplate, setText, formatClock, senderLabels, fillLine } from "./ws.js";

export const stateLabels = { queued: "排队中", serving: "服务中", closed: "已结束" };
export const statusLabels = { online: "在线", busy: "忙碌", break: "小休", offline: "离线" };
const channelLabels = { web: "网页", mobile: "移动端", kiosk: "自助终端" };

// capacityText explains the disabled accept buttons. The server-rendered
// page uses the same words.
export const capacityText = "已达同时服务上限，请先结束一个会话再接入。";

function topicText(topic) {
  return topic ? topic : "（未填写咨询主题）";
}

function channelText(channel) {
  return channelLabels[channel] || channel || "";
}

function numberText(n) {
  return n > 0 ? `市民 ${n}` : "";
}

function authorOf(m) {
  if (m.from === "agent" && m.author) return m.author;
  return senderLabels[m.from] || m.from;
}

export function fillMessage(li, m) {
  li.className = `message from-${m.from}`;
  fillLine(li, m, authorOf(m), recalledText);
}

export const recalledText = "（已撤回）";

// labelChat writes the number, topic and channel on the tab and the pane
// head. The tab's tooltip repeats the whole label because the tab cuts a
// long topic off.
export function labelChat(chat, c) {
  const topic = topicText(c.topic);
  const channel = channelText(c.channel);
  for (const part of [chat.tab, chat.pane]) {
    setText(field(part, "number"), numberText(chat.number));
    setText(field(part, "topic"), topic);
    setText(field(part, "channel"), channel);
  }
  chat.tab.title = `${numberText(chat.number)} · ${topic}${channel ? `（${channel}）` : ""}`;
}

// suggestionItem builds the list entry of one suggested answer.
export function suggestionItem(s) {
  const li = cloneTemplate("tpl-suggestion");
  li.dataset.faqId = s.faq_id;
  setText(field(li, "question"), s.question);
  setText(field(li, "answer"), s.answer);
  return li;
}

// queueItem builds the list entry of one waiting citizen.
export function queueItem(q) {
  const li = cloneTemplate("tpl-queue-item");
  li.dataset.conversationId = q.conversation_id;
  setText(field(li, "position"), q.position);
  setText(field(li, "topic"), topicText(q.topic));
  setText(field(li, "channel"), channelText(q.channel));
  setText(field(li, "queued-at"), formatClock(q.queued_at));
  return li;
}
