/**
 * `tra-cuu.html`: a tracking code and the last 4 digits of the citizen's number → where the
 * request stands. `?ma=` fills the code (a link from the form's confirmation).
 */
import type { PublicStatusView } from '../../common/written-requests.ts';
import { byId, messageOf, publicRequest, vietnamTime } from './public-api.ts';

const form = byId<HTMLFormElement>('status-form');
const codeInput = byId<HTMLInputElement>('tracking-code');
const last4Input = byId<HTMLInputElement>('phone-last4');
const button = byId<HTMLButtonElement>('look-up');
const errorBox = byId('status-error');
const result = byId('status-result');

const fromLink = new URLSearchParams(location.search).get('ma');
if (fromLink && /^\d{1,12}$/.test(fromLink)) {
  codeInput.value = fromLink;
  last4Input.focus();
}

function showError(message: string | null): void {
  errorBox.textContent = message ?? '';
  errorBox.hidden = message === null;
}

function row(id: string, value: string | null): void {
  const dd = byId(id);
  dd.textContent = value ?? '';
  const label = document.getElementById(`${id}-label`);
  const hidden = value === null;
  dd.hidden = hidden;
  if (label) label.hidden = hidden;
}

function show(view: PublicStatusView): void {
  byId('result-code').textContent = view.trackingCode;
  byId('result-status').textContent = view.groupLabel;
  byId('result-agency').textContent = view.agencyName ?? 'Tổng đài 1022 đang xem xét';
  byId('result-received').textContent = vietnamTime(view.receivedAt);
  row('result-assigned', view.assignedAt ? vietnamTime(view.assignedAt) : null);
  row('result-resolved', view.resolvedAt ? vietnamTime(view.resolvedAt) : null);
  row('result-text', view.result);
  result.hidden = false;
  result.focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = codeInput.value.replace(/\D/g, '');
  const phoneLast4 = last4Input.value.replace(/\D/g, '');
  result.hidden = true;
  if (code.length !== 9) return showError('Mã tra cứu gồm 9 chữ số.');
  if (phoneLast4.length !== 4) return showError('Vui lòng nhập đúng 4 số cuối của số điện thoại.');
  showError(null);
  button.disabled = true;
  try {
    show(await publicRequest<PublicStatusView>('POST', '/api/public/status', { code, phoneLast4 }));
  } catch (err) {
    showError(messageOf(err));
  } finally {
    button.disabled = false;
  }
});
