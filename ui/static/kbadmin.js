// Knowledge-base entry form. Turns each textarea[data-list-editor], which
// contains one item per line, into a list with one input per item. The
// textarea stays in the form, hidden, and is rewritten on every edit, so
// the form posts the same field with or without this script. "整段编辑"
// shows the textarea again for pasting many lines at once.

for (const area of document.querySelectorAll("textarea[data-list-editor]")) {
  listEditor(area);
}

function listEditor(area) {
  const noun = area.dataset.listEditor;
  const label = document.querySelector(`label[for="${area.id}"]`);
  const name = label ? label.textContent.trim() : noun;
  if (label && !label.id) label.id = `${area.id}-label`;

  const count = document.createElement("span");
  count.className = "kb-list-count";
  if (label) label.append(count);

  const list = document.createElement("ol");
  list.className = "kb-list";
  if (label) list.setAttribute("aria-labelledby", label.id);

  const add = button(`添加一条${noun}`, "");
  const bulk = button("整段编辑", "link");
  const tools = document.createElement("div");
  tools.className = "kb-list-tools";
  tools.append(add, bulk);

  area.before(list);
  area.after(tools);

  const rows = () => [...list.querySelectorAll("input")];

  const showCount = (items) => {
    count.textContent = `（共 ${items.length} 条）`;
  };

  const write = () => {
    const items = rows().map((i) => i.value.trim()).filter((v) => v !== "");
    area.value = items.join("\n");
    showCount(items);
    rows().forEach((input, i) => {
      input.setAttribute("aria-label", `${name} 第 ${i + 1} 条`);
      input.nextElementSibling.setAttribute("aria-label", `删除第 ${i + 1} 条${noun}`);
    });
  };

  const row = (value) => {
    const li = document.createElement("li");
    const input = document.createElement("input");
    input.type = "text";
    input.value = value;
    input.placeholder = `输入一条${noun}，按回车键添加下一条`;
    const remove = button("删除", "kb-list-remove");
    li.append(input, remove);
    return li;
  };

  const read = () => {
    const items = area.value.split("\n").map((v) => v.trim()).filter((v) => v !== "");
    list.replaceChildren(...(items.length ? items : [""]).map(row));
    write();
  };

  const insertAfter = (li) => {
    const fresh = row("");
    if (li) li.after(fresh);
    else list.append(fresh);
    write();
    fresh.querySelector("input").focus();
  };

  const removeRow = (li, focusPrevious) => {
    const target = focusPrevious ? li.previousElementSibling || li.nextElementSibling : li.nextElementSibling || li.previousElementSibling;
    li.remove();
    if (!list.children.length) list.append(row(""));
    write();
    const input = (target || list.lastElementChild).querySelector("input");
    input.focus();
  };

  list.addEventListener("input", write);
  area.addEventListener("input", () => {
    showCount(area.value.split("\n").filter((v) => v.trim() !== ""));
  });

  list.addEventListener("click", (event) => {
    const remove = event.target.closest("button.kb-list-remove");
    if (remove) removeRow(remove.closest("li"), false);
  });

  // Enter adds an item instead of sending the form. Backspace in an empty
  // item removes it, and the arrow keys move between items.
  list.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || event.isComposing) return;
    const li = input.closest("li");
    const move = (to) => to && to.querySelector("input").focus();
    if (event.key === "Enter") {
      event.preventDefault();
      insertAfter(li);
    } else if (event.key === "Backspace" && input.value === "" && list.children.length > 1) {
      event.preventDefault();
      removeRow(li, true);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      move(li.nextElementSibling);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(li.previousElementSibling);
    }
  });

  // Some input paths, such as DevTools key events, send the keypress
  // separately from the keydown, and a keypress of Enter sends the form.
  list.addEventListener("keypress", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });

  add.addEventListener("click", () => {
    const last = list.lastElementChild;
    if (last && last.querySelector("input").value.trim() === "") {
      last.querySelector("input").focus();
      return;
    }
    insertAfter(last);
  });

  bulk.addEventListener("click", () => {
    const toText = area.hidden;
    if (!toText) read();
    area.hidden = !toText;
    list.hidden = toText;
    add.hidden = toText;
    bulk.textContent = toText ? "逐条编辑" : "整段编辑";
    (toText ? area : list.querySelector("input")).focus();
  });

  area.hidden = true;
  read();
}

function button(text, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (className) b.className = className;
  return b;
}
