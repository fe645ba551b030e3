/**
 * `gui-phan-anh.html`, the public web form. The page is a plain labelled form; this script fills
 * the categories and the consent text, suggests communes as the citizen types (without
 * diacritics), loads the map only when one is configured, confirms the phone number with a
 * one-time SMS code, and sends the request with its photos (base64) and an `Idempotency-Key`
 * kept across retries of the same filled form.
 */
import type {
  PhoneCodeSent,
  PhoneConfirmed,
  PublicFormInfo,
  PublicRequestAccepted,
  PublicRequestBody,
  PublicUnit,
} from '../../common/written-requests.ts';
import type { HotlineMap } from './citizen-map.ts';
import { byId, messageOf, PublicApiError, publicRequest } from './public-api.ts';

const form = byId<HTMLFormElement>('report-form');
const category = byId<HTMLSelectElement>('category');
const description = byId<HTMLTextAreaElement>('description');
const unitQuery = byId<HTMLInputElement>('unit-query');
const unitOptions = byId<HTMLUListElement>('unit-options');
const unitCode = byId<HTMLInputElement>('unit-code');
const address = byId<HTMLInputElement>('address');
const photosInput = byId<HTMLInputElement>('photos');
const photoList = byId<HTMLUListElement>('photo-list');
const nameInput = byId<HTMLInputElement>('name');
const phone = byId<HTMLInputElement>('phone');
const sendCode = byId<HTMLButtonElement>('send-code');
const codeBlock = byId('code-block');
const codeInput = byId<HTMLInputElement>('code');
const confirmCode = byId<HTMLButtonElement>('confirm-code');
const phoneStatus = byId('phone-status');
const consent = byId<HTMLInputElement>('consent');
const errorBox = byId('form-error');
const submit = byId<HTMLButtonElement>('submit');

let info: PublicFormInfo | null = null;
let phoneToken: { phone: string; token: string } | null = null;
let point: { lat: number; lng: number } | null = null;
let idempotencyKey = newKey();
const photos: { name: string; base64: string; dataUrl: string }[] = [];

function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function showError(message: string | null, focusOn?: HTMLElement): void {
  errorBox.textContent = message ?? '';
  errorBox.hidden = message === null;
  if (message !== null) (focusOn ?? errorBox).focus();
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- categories, consent, map -------------------------------------------------------------

async function loadForm(): Promise<void> {
  try {
    info = await publicRequest<PublicFormInfo>('GET', '/api/public/form');
  } catch (err) {
    showError(messageOf(err));
    return;
  }
  for (const c of info.categories) {
    const option = el('option', c.name);
    option.value = c.key;
    category.append(option);
  }
  byId('consent-text').textContent = info.consent.text;
  if (info.mapTileUrl) loadMap(info.mapTileUrl, info.mapAttribution);
}

function loadMap(tileUrl: string, attribution: string | null): void {
  const css = el('link');
  css.rel = 'stylesheet';
  css.href = 'leaflet/leaflet.css';
  document.head.append(css);
  const script = el('script');
  script.src = 'citizen-map.js';
  script.onload = () => {
    const api = (window as unknown as { hotlineMap?: HotlineMap }).hotlineMap;
    if (!api) return;
    byId('map-block').hidden = false;
    const clearButton = byId<HTMLButtonElement>('map-clear');
    const said = byId('map-point');
    const map = api.mount(byId('map'), { tileUrl, attribution }, (picked) => {
      point = picked;
      said.textContent = picked
        ? `Đã chọn vị trí: ${picked.lat.toFixed(5)}, ${picked.lng.toFixed(5)}`
        : 'Chưa chọn vị trí trên bản đồ.';
      clearButton.hidden = picked === null;
    });
    clearButton.addEventListener('click', () => map.clear());
  };
  document.head.append(script);
}

// --- commune suggestions ------------------------------------------------------------------

let suggestions: PublicUnit[] = [];
let active = -1;
let searchTimer: ReturnType<typeof setTimeout> | undefined;
let searchSeq = 0;

function renderSuggestions(): void {
  unitOptions.textContent = '';
  suggestions.forEach((unit, i) => {
    const item = el('li', unit.name);
    item.id = `unit-option-${i}`;
    item.setAttribute('role', 'option');
    item.setAttribute('aria-selected', String(i === active));
    if (unit.matchedFormerName) item.append(el('small', `trước đây: ${unit.matchedFormerName}`));
    item.addEventListener('mousedown', (event) => event.preventDefault());
    item.addEventListener('click', () => pickUnit(i));
    unitOptions.append(item);
  });
  const open = suggestions.length > 0;
  unitOptions.hidden = !open;
  unitQuery.setAttribute('aria-expanded', String(open));
  if (active >= 0) unitQuery.setAttribute('aria-activedescendant', `unit-option-${active}`);
  else unitQuery.removeAttribute('aria-activedescendant');
}

function pickUnit(i: number): void {
  const unit = suggestions[i];
  if (!unit) return;
  unitCode.value = unit.code;
  unitQuery.value = unit.name;
  suggestions = [];
  active = -1;
  renderSuggestions();
}

unitQuery.addEventListener('input', () => {
  unitCode.value = '';
  clearTimeout(searchTimer);
  const q = unitQuery.value.trim();
  if (q.length < 2) {
    suggestions = [];
    renderSuggestions();
    return;
  }
  searchTimer = setTimeout(async () => {
    const seq = ++searchSeq;
    try {
      const { data } = await publicRequest<{ data: PublicUnit[] }>(
        'GET',
        `/api/public/units?q=${encodeURIComponent(q)}`,
      );
      if (seq !== searchSeq) return;
      suggestions = data;
      active = data.length > 0 ? 0 : -1;
      renderSuggestions();
    } catch {
      // The commune is optional when an address is given: a failed suggestion blocks nothing.
    }
  }, 250);
});

unitQuery.addEventListener('keydown', (event) => {
  if (suggestions.length === 0) return;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const step = event.key === 'ArrowDown' ? 1 : -1;
    active = (active + step + suggestions.length) % suggestions.length;
    renderSuggestions();
  } else if (event.key === 'Enter') {
    event.preventDefault();
    pickUnit(Math.max(active, 0));
  } else if (event.key === 'Escape') {
    suggestions = [];
    renderSuggestions();
  }
});
unitQuery.addEventListener('blur', () => {
  suggestions = [];
  renderSuggestions();
});

// --- photos -------------------------------------------------------------------------------

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function renderPhotos(): void {
  photoList.textContent = '';
  photos.forEach((photo, i) => {
    const item = el('li');
    const img = el('img');
    img.src = photo.dataUrl;
    img.alt = `Ảnh ${i + 1}: ${photo.name}`;
    const remove = el('button', 'Bỏ ảnh');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Bỏ ảnh ${i + 1}: ${photo.name}`);
    remove.addEventListener('click', () => {
      photos.splice(i, 1);
      renderPhotos();
      photosInput.focus();
    });
    item.append(img, el('span', photo.name), remove);
    photoList.append(item);
  });
}

photosInput.addEventListener('change', async () => {
  const max = info?.maxPhotos ?? 3;
  const maxBytes = info?.maxPhotoBytes ?? 5 * 1024 * 1024;
  showError(null);
  for (const file of Array.from(photosInput.files ?? [])) {
    if (photos.length >= max) {
      showError(`Chỉ gửi được tối đa ${max} ảnh.`);
      break;
    }
    if (file.size > maxBytes) {
      showError(`Ảnh “${file.name}” lớn hơn ${maxBytes / 1024 / 1024} MB.`);
      continue;
    }
    const dataUrl = await readAsDataUrl(file);
    photos.push({ name: file.name, base64: dataUrl.slice(dataUrl.indexOf(',') + 1), dataUrl });
  }
  photosInput.value = '';
  renderPhotos();
});

// --- phone confirmation -------------------------------------------------------------------

function say(text: string, ok = false): void {
  phoneStatus.textContent = text;
  phoneStatus.className = ok ? 'message message-ok' : 'hint';
}

phone.addEventListener('input', () => {
  if (phoneToken && phoneToken.phone !== phone.value.trim()) {
    phoneToken = null;
    say('Số điện thoại đã đổi: vui lòng lấy mã xác nhận mới.');
  }
});

sendCode.addEventListener('click', async () => {
  showError(null);
  sendCode.disabled = true;
  try {
    await publicRequest<PhoneCodeSent>('POST', '/api/public/phone-codes', { phone: phone.value.trim() });
    codeBlock.hidden = false;
    sendCode.textContent = 'Gửi lại mã';
    say('Đã gửi mã xác nhận qua tin nhắn. Mã có hiệu lực 10 phút.');
    codeInput.focus();
  } catch (err) {
    showError(messageOf(err), phone);
    say(messageOf(err));
  } finally {
    sendCode.disabled = false;
  }
});

async function confirmPhone(): Promise<void> {
  showError(null);
  confirmCode.disabled = true;
  const number = phone.value.trim();
  try {
    const { token } = await publicRequest<PhoneConfirmed>('POST', '/api/public/phone-codes/verify', {
      phone: number,
      code: codeInput.value.trim(),
    });
    phoneToken = { phone: number, token };
    codeBlock.hidden = true;
    say('Đã xác nhận số điện thoại.', true);
  } catch (err) {
    say(messageOf(err));
    codeInput.focus();
  } finally {
    confirmCode.disabled = false;
  }
}
confirmCode.addEventListener('click', () => void confirmPhone());
codeInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    void confirmPhone();
  }
});

// --- sending ------------------------------------------------------------------------------

/** The first thing to fix before sending, with the field to go to; null when ready. */
function missing(): [string, HTMLElement] | null {
  if (!category.value) return ['Vui lòng chọn lĩnh vực phản ánh.', category];
  if (description.value.trim().length < 10) return ['Nội dung phản ánh cần ít nhất 10 ký tự.', description];
  if (unitQuery.value.trim() && !unitCode.value) {
    return ['Vui lòng chọn xã, phường trong danh sách gợi ý (hoặc xóa trắng ô này).', unitQuery];
  }
  if (!unitCode.value && !address.value.trim() && !point) {
    return ['Vui lòng cho biết xã, phường, địa chỉ hoặc chọn vị trí trên bản đồ.', unitQuery];
  }
  if (!phoneToken) return ['Vui lòng xác nhận số điện thoại bằng mã trong tin nhắn.', phone];
  if (!consent.checked) return ['Vui lòng đánh dấu đồng ý với điều khoản.', consent];
  return null;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const problem = missing();
  if (problem) return showError(problem[0], problem[1]);
  if (!info || !phoneToken) return;
  showError(null);
  const body: PublicRequestBody = {
    category: category.value,
    description: description.value.trim(),
    phone: phoneToken.phone,
    phoneToken: phoneToken.token,
    consentVersion: info.consent.version,
    ...(unitCode.value ? { unitCode: unitCode.value } : {}),
    ...(address.value.trim() ? { address: address.value.trim() } : {}),
    ...(point ? { latitude: point.lat, longitude: point.lng } : {}),
    ...(nameInput.value.trim() ? { name: nameInput.value.trim() } : {}),
    ...(photos.length > 0 ? { photos: photos.map((p) => p.base64) } : {}),
  };
  submit.disabled = true;
  submit.textContent = 'Đang gửi…';
  try {
    const accepted = await publicRequest<PublicRequestAccepted>('POST', '/api/public/requests', body, {
      'Idempotency-Key': idempotencyKey,
    });
    idempotencyKey = newKey();
    form.hidden = true;
    byId('done-code').textContent = accepted.trackingCode;
    if (accepted.joined) {
      byId('done-note').textContent =
        'Nội dung này được gộp vào phản ánh bạn đã gửi hôm nay, cùng mã tra cứu. Dùng mã và 4 số cuối của số điện thoại để xem kết quả giải quyết.';
    }
    byId<HTMLAnchorElement>('done-status').href = `tra-cuu.html?ma=${accepted.trackingCode}`;
    const done = byId('done');
    done.hidden = false;
    done.focus();
  } catch (err) {
    // A refused form (not a lost answer) is changed before it is sent again: a new key then.
    if (err instanceof PublicApiError && err.status >= 400 && err.status < 500) idempotencyKey = newKey();
    if (err instanceof PublicApiError && err.code === 'PHONE_NOT_VERIFIED') {
      phoneToken = null;
      say(err.message);
    }
    showError(messageOf(err));
  } finally {
    submit.disabled = false;
    submit.textContent = 'Gửi phản ánh';
  }
});

void loadForm();
