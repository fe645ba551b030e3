/**
 * Every user-facing string of the console. Vietnamese is the working language; English is a
 * small second locale (`?lang=en`, remembered in localStorage) and falls back to Vietnamese.
 * Reference labels (queues, categories, districts) come from `common/domain.ts`.
 */
import type { AgentState, TicketStatus } from '../../common/domain.ts';

const vi = {
  'app.name': 'Tổng đài 1022',
  'title.login': 'Đăng nhập — Tổng đài 1022',
  'title.operator': 'Tổng đài viên — Tổng đài 1022',
  'title.supervisor': 'Giám sát — Tổng đài 1022',

  'login.heading': 'Đăng nhập',
  'login.username': 'Tên đăng nhập',
  'login.password': 'Mật khẩu',
  'login.submit': 'Đăng nhập',
  'login.agencyNotSupported': 'Tài khoản cơ quan chưa có giao diện',

  'common.logout': 'Đăng xuất',
  'common.socketDown': 'Mất kết nối máy chủ, đang thử kết nối lại…',
  'error.network': 'Không kết nối được máy chủ. Vui lòng thử lại.',
  'error.server': 'Máy chủ báo lỗi (mã {status}).',
  'error.noReply': 'Máy chủ không phản hồi. Vui lòng thử lại.',

  'state.ready': 'Sẵn sàng',
  'state.not_ready': 'Tạm nghỉ',
  'state.ringing': 'Đang đổ chuông',
  'state.on_call': 'Đang nghe máy',
  'state.offline': 'Ngoại tuyến',

  'operator.stateHeading': 'Trạng thái',
  'operator.stateLabel': 'Trạng thái hiện tại:',
  'operator.setReady': 'Sẵn sàng',
  'operator.setNotReady': 'Tạm nghỉ',
  'operator.autoAnswer': 'Tự động trả lời',
  'phone.label': 'Điện thoại:',
  'phone.connecting': 'Đang kết nối…',
  'phone.registered': 'Đã đăng ký',
  'phone.unregistered': 'Chưa đăng ký',
  'phone.failed': 'Đăng ký thất bại',
  'phone.noAccount': 'Chưa được cấp tài khoản điện thoại',

  'call.region': 'Cuộc gọi đến',
  'call.incoming': 'Cuộc gọi đến từ {caller}',
  'call.inCall': 'Đang nói chuyện với {caller}',
  'call.waitingForLine': 'Đang chờ tín hiệu cuộc gọi…',
  'call.caller': 'Số gọi đến',
  'call.queue': 'Hàng đợi',
  'call.menuChoice': 'Phím đã chọn',
  'call.waited': 'Đã chờ {seconds} giây',
  'call.history': 'Phiếu trước đây',
  'call.noHistory': 'Chưa có phiếu nào',
  'call.answer': 'Trả lời',
  'call.reject': 'Từ chối',
  'call.mute': 'Tắt tiếng',
  'call.unmute': 'Bật tiếng',
  'call.hangup': 'Kết thúc',
  'call.duration': 'Thời lượng',
  'call.audioStats': 'Âm thanh: gửi {sent} gói, nhận {received} gói',
  'call.answerFailed': 'Không trả lời được cuộc gọi: {reason}',
  'call.missed': 'Cuộc gọi đã kết thúc trước khi được trả lời ({reason})',

  'ticket.heading': 'Phiếu tiếp nhận',
  'ticket.callerNumber': 'Số điện thoại',
  'ticket.callerName': 'Họ tên người gọi',
  'ticket.category': 'Lĩnh vực',
  'ticket.district': 'Địa bàn',
  'ticket.description': 'Nội dung',
  'ticket.agency': 'Cơ quan xử lý',
  'ticket.choose': '— Chọn —',
  'ticket.agencyAuto': 'Theo quy tắc phân luồng',
  'ticket.submit': 'Tạo phiếu',
  'ticket.created': 'Đã tạo phiếu, mã tra cứu: ',
  'ticketStatus.received': 'Đã tiếp nhận',
  'ticketStatus.forwarded': 'Đã chuyển cơ quan',

  'wallboard.heading': 'Bảng theo dõi',
  'wallboard.telephonyDown': 'Mất kết nối tổng đài',
  'wallboard.queues': 'Hàng đợi',
  'wallboard.queue': 'Hàng đợi',
  'wallboard.waiting': 'Đang chờ',
  'wallboard.longestWait': 'Chờ lâu nhất',
  'wallboard.agents': 'Tổng đài viên',
  'wallboard.agent': 'Tổng đài viên',
  'wallboard.state': 'Trạng thái',
  'wallboard.timeInState': 'Thời gian',
  'wallboard.noAgents': 'Chưa có tổng đài viên nào trực tuyến',
  'wallboard.waitingForData': 'Đang chờ dữ liệu…',
  'wallboard.updatedAt': 'Cập nhật lúc {time}',
} as const;

export type MessageKey = keyof typeof vi;

const en: Partial<Record<MessageKey, string>> = {
  'login.heading': 'Sign in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'common.logout': 'Sign out',
  'state.ready': 'Ready',
  'state.not_ready': 'Not ready',
  'state.ringing': 'Ringing',
  'state.on_call': 'On a call',
  'state.offline': 'Offline',
  'call.answer': 'Answer',
  'call.reject': 'Decline',
  'call.hangup': 'Hang up',
  'ticket.submit': 'Create ticket',
  'wallboard.telephonyDown': 'Telephony connection lost',
};

export type Locale = 'vi' | 'en';

function chooseLocale(): Locale {
  const requested = new URLSearchParams(location.search).get('lang');
  if (requested === 'vi' || requested === 'en') localStorage.setItem('locale', requested);
  return localStorage.getItem('locale') === 'en' ? 'en' : 'vi';
}

export const locale: Locale = chooseLocale();

/** The message for `key`, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = (locale === 'en' ? en[key] : undefined) ?? vi[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
}

export const stateLabel = (state: AgentState): string => t(`state.${state}`);
export const ticketStatusLabel = (status: TicketStatus): string => t(`ticketStatus.${status}`);

/**
 * Fills static markup: `data-i18n` sets the text, `data-i18n-label` the aria-label,
 * `data-i18n-title` the document title (on <html>).
 */
export function translatePage(root: ParentNode = document): void {
  document.documentElement.lang = locale;
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n as MessageKey);
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel as MessageKey));
  }
  const title = document.documentElement.dataset.i18nTitle;
  if (title) document.title = t(title as MessageKey);
}
