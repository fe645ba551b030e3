/**
 * A modal form in a native `<dialog>`: asks for a reason, a text, a date… then runs `submit`.
 * A failed submit keeps the dialog open with the server's message in a `role="alert"` line;
 * focus goes back to whatever opened it when it closes.
 */
import { errorMessage } from './api.ts';
import { h, option, showMessage } from './dom.ts';
import { t } from './i18n.ts';

export interface DialogField {
  name: string;
  label: string;
  kind: 'textarea' | 'number' | 'datetime-local' | 'select';
  required?: boolean;
  /** For `textarea`: the fewest characters (after trimming) the server accepts. */
  minLength?: number;
  value?: string;
  /** For `datetime-local` and `number`. */
  min?: string;
  /** For `select`. */
  options?: Array<{ value: string; label: string }>;
}

export interface FormDialogSpec {
  title: string;
  submitLabel: string;
  fields: DialogField[];
  /** Throws to keep the dialog open and show the error. */
  submit(values: Record<string, string>): Promise<void>;
}

/** Thrown by a dialog's `submit` for input it cannot take; its message is shown as it is. */
export class DialogInputError extends Error {
  override name = 'DialogInputError';
}

let counter = 0;

export function openFormDialog(spec: FormDialogSpec): void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const id = `dialog-${++counter}`;
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
  const rows = spec.fields.map((field) => {
    const inputId = `${id}-${field.name}`;
    let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    if (field.kind === 'textarea') {
      input = h('textarea', { id: inputId, name: field.name, rows: '4' });
      if (field.minLength !== undefined) input.minLength = field.minLength;
    } else if (field.kind === 'select') {
      input = h('select', { id: inputId, name: field.name });
      input.append(...(field.options ?? []).map((o) => option(o.value, o.label, o.value === field.value)));
    } else {
      input = h('input', { id: inputId, name: field.name, type: field.kind, min: field.min });
    }
    if (field.value !== undefined) input.value = field.value;
    input.required = field.required ?? false;
    inputs.set(field.name, input);
    return h('p', { class: 'field' }, h('label', { for: inputId }, field.label), input);
  });

  const error = h('p', { id: `${id}-error`, class: 'message message-error', role: 'alert', hidden: '' });
  const submit = h('button', { type: 'submit', class: 'primary' }, spec.submitLabel);
  const cancel = h('button', { type: 'button' }, t('common.cancel'));
  // Our own check (novalidate), so the message is Vietnamese and in the dialog's alert line.
  const form = h(
    'form',
    { class: 'dialog-form', novalidate: '' },
    ...rows,
    error,
    h('div', { class: 'actions' }, submit, cancel),
  );
  const dialog = h('dialog', { class: 'panel dialog', 'aria-labelledby': `${id}-title` });
  dialog.append(h('h2', { id: `${id}-title` }, spec.title), form);

  const close = () => dialog.close();
  cancel.addEventListener('click', close);
  dialog.addEventListener('close', () => {
    dialog.remove();
    opener?.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const field of spec.fields) {
      const input = inputs.get(field.name);
      const value = input?.value.trim() ?? '';
      input?.removeAttribute('aria-invalid');
      input?.removeAttribute('aria-describedby');
      const problem =
        field.required && value === ''
          ? t('common.required', { field: field.label })
          : field.minLength !== undefined && value !== '' && value.length < field.minLength
            ? t('common.minLength', { field: field.label, min: field.minLength })
            : null;
      if (problem) {
        showMessage(error, problem);
        input?.setAttribute('aria-invalid', 'true');
        input?.setAttribute('aria-describedby', error.id);
        input?.focus();
        return;
      }
      values[field.name] = value;
    }
    showMessage(error, null);
    submit.disabled = true;
    spec
      .submit(values)
      .then(close)
      .catch((err: unknown) =>
        showMessage(error, err instanceof DialogInputError ? err.message : errorMessage(err)),
      )
      .finally(() => {
        submit.disabled = false;
      });
  });

  document.body.append(dialog);
  dialog.showModal();
  inputs.values().next().value?.focus();
}
