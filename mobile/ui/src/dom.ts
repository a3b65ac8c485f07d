// A few helpers for building the screens without a framework. Text always goes in through
// textContent, never as HTML.

type Attrs = Record<string, string | boolean | number | undefined | ((e: Event) => void)>;

export function h(tag: string, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(key.replace(/^on/, ''), value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/// A labelled form field with room for its error message.
export function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id = id;
  control.setAttribute('name', id);
  const describedBy = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('span', { class: 'error-message', id: `${id}-error`, hidden: true }),
    control,
  );
}

export function select(options: [string, string][], value?: string): HTMLSelectElement {
  const el = h('select') as HTMLSelectElement;
  for (const [code, label] of options) {
    const option = h('option', { value: code }, label) as HTMLOptionElement;
    if (code === value) option.selected = true;
    el.append(option);
  }
  return el;
}

export function value(form: HTMLElement, id: string): string {
  const el = form.querySelector<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(`#${id}`);
  return el ? el.value.trim() : '';
}

/// Shows field errors next to their fields, and the first message in the form's alert.
export function showErrors(form: HTMLElement, message: string, fields: { field: string; message: string }[]): void {
  form.querySelectorAll<HTMLElement>('.error-message').forEach((e) => {
    e.hidden = true;
    e.textContent = '';
  });
  for (const f of fields) {
    const el = form.querySelector<HTMLElement>(`#${f.field}-error`);
    if (el) {
      el.hidden = false;
      el.textContent = f.message;
    }
  }
  const alert = form.querySelector<HTMLElement>('.form-alert');
  if (alert) {
    alert.hidden = false;
    alert.textContent = message;
    alert.focus();
  }
}

/// The camera icon, drawn (an emoji may be missing from the phone's fonts).
export function cameraIcon(): SVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const body = document.createElementNS(ns, 'path');
  body.setAttribute('d', 'M4 7h3l2-3h6l2 3h3a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1z');
  body.setAttribute('fill', 'none');
  body.setAttribute('stroke', 'currentColor');
  body.setAttribute('stroke-width', '2');
  body.setAttribute('stroke-linejoin', 'round');
  const lens = document.createElementNS(ns, 'circle');
  lens.setAttribute('cx', '12');
  lens.setAttribute('cy', '13');
  lens.setAttribute('r', '4');
  lens.setAttribute('fill', 'none');
  lens.setAttribute('stroke', 'currentColor');
  lens.setAttribute('stroke-width', '2');
  svg.append(body, lens);
  return svg;
}
