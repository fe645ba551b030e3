/** Small DOM builders shared by the pages; text always goes in as text, never as HTML. */

type Child = Node | string | null | undefined | false;

/** `<tag class=… …attrs>children</tag>`. Attributes set to `undefined` are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) el.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

export function option(value: string, label: string, selected = false): HTMLOptionElement {
  const el = h('option', { value }, label);
  el.defaultSelected = selected;
  el.selected = selected;
  return el;
}

/** A table row that says the table is empty, spanning all `columns`. */
export function emptyRow(columns: number, text: string): HTMLTableRowElement {
  return h('tr', {}, h('td', { colspan: String(columns), class: 'muted' }, text));
}

/** Shows `message` in a `role="alert"` / `role="status"` box, or hides it for `null`. */
export function showMessage(box: HTMLElement, message: string | null): void {
  box.textContent = message ?? '';
  box.hidden = message === null;
}
