// Citations of a bot answer (政策依据): fills the list that the server
// renders empty, the same way citations.templ renders it for the page
// without JavaScript. All text is set with textContent.
import { byTestID, setText, show } from "./ws.js";

// Only links into the policy library are followed; a citation never
// carries another site's address.
const policyPath = /^\/policy\/doc\//;

function citationItem(c) {
  const li = document.createElement("li");
  li.setAttribute("data-testid", "citation-item");

  if (c.url && policyPath.test(c.url)) {
    const a = document.createElement("a");
    a.href = c.url;
    a.setAttribute("data-testid", "citation-link");
    setText(a, `《${c.title || c.doc_id}》${c.article || ""}`);
    li.append(a);
  } else {
    li.append(document.createTextNode(c.ref || ""));
  }

  if (c.doc_number) {
    const number = document.createElement("span");
    number.className = "meta";
    setText(number, `（${c.doc_number}）`);
    li.append(number);
  }
  if (c.status && c.status !== "现行有效") {
    const status = document.createElement("span");
    status.className = "citation-status";
    status.setAttribute("data-testid", "citation-status");
    setText(status, c.status);
    li.append(status);
  }
  if (!c.found) {
    const missing = document.createElement("span");
    missing.className = "hint";
    setText(missing, "（政策法规库暂未收录该条文）");
    li.append(missing);
  }
  return li;
}

// renderCitations shows the citations of an ask reply inside root.
export function renderCitations(root, citations) {
  const list = byTestID(root, "citations");
  if (!list) return;
  list.replaceChildren(...(citations || []).map(citationItem));
  show(byTestID(root, "citations-block"), list.children.length > 0);
}
