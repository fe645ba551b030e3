/**
 * Every user-facing string of the console. Vietnamese is the working language; English is a
 * small second locale (`?lang=en`, remembered in localStorage) and falls back to Vietnamese.
 * Reference labels (queues, categories, districts) come from `common/domain.ts`.
 */
import type {
  AgentState,
  NotReadyReason,
  SmsEvent,
  TicketAction,
  TicketStatus,
} from '../../common/domain.ts';

const vi = {
  'app.name': 'Tổng đài 1022',
  'title.login': 'Đăng nhập — Tổng đài 1022',
  'title.operator': 'Tổng đài viên — Tổng đài 1022',
  'title.supervisor': 'Giám sát — Tổng đài 1022',
  'title.agency': 'Hộp thư cơ quan — Tổng đài 1022',
  'title.tickets': 'Theo dõi phiếu — Tổng đài 1022',
  'title.admin': 'Quản trị — Tổng đài 1022',

  'login.heading': 'Đăng nhập',
  'login.username': 'Tên đăng nhập',
  'login.password': 'Mật khẩu',
  'login.submit': 'Đăng nhập',

  'common.logout': 'Đăng xuất',
  'common.socketDown': 'Mất kết nối máy chủ, đang thử kết nối lại…',
  'error.network': 'Không kết nối được máy chủ. Vui lòng thử lại.',
  'error.server': 'Máy chủ báo lỗi (mã {status}).',
  'error.noReply': 'Máy chủ không phản hồi. Vui lòng thử lại.',
  'common.loading': 'Đang tải…',
  'common.cancel': 'Hủy',
  'common.send': 'Gửi',
  'common.required': 'Vui lòng nhập {field}.',
  'nav.wallboard': 'Bảng theo dõi',
  'nav.tickets': 'Theo dõi phiếu',
  'nav.admin': 'Quản trị',
  'nav.main': 'Chuyển trang',

  'state.ready': 'Sẵn sàng',
  'state.not_ready': 'Tạm nghỉ',
  'state.ringing': 'Đang đổ chuông',
  'state.on_call': 'Đang nghe máy',
  'state.offline': 'Ngoại tuyến',
  'state.wrap_up': 'Xử lý sau cuộc gọi',
  'reason.break': 'Nghỉ giải lao',
  'reason.training': 'Đào tạo',
  'reason.callback_work': 'Gọi lại cho dân',
  'reason.missed_call': 'Không trả lời cuộc gọi',
  'reason.connection_lost': 'Mất kết nối',

  'operator.stateHeading': 'Trạng thái',
  'operator.stateLabel': 'Trạng thái hiện tại:',
  'operator.setReady': 'Sẵn sàng',
  'operator.notReadyLegend': 'Tạm nghỉ vì',
  'operator.wrapUpLeft': 'Tự động sẵn sàng sau',
  'operator.extendWrapUp': 'Thêm thời gian',
  'operator.afterWrapUp': 'Sau khi xử lý xong: {state}',
  'operator.missedCall':
    'Bạn đã không trả lời cuộc gọi nên được chuyển sang Tạm nghỉ; cuộc gọi đã quay lại đầu hàng đợi cho tổng đài viên khác. Bấm "Sẵn sàng" để nhận cuộc gọi tiếp.',
  'operator.connectionLost':
    'Kết nối của bạn bị gián đoạn nên được chuyển sang Tạm nghỉ; người gọi (nếu có) đã quay lại đầu hàng đợi. Bấm "Sẵn sàng" khi bạn sẵn sàng nhận cuộc gọi.',
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
  'call.fallback':
    'Cuộc gọi dự phòng: hệ thống điều phối đang gián đoạn, không có thông tin người gọi và lựa chọn của họ. Hãy hỏi trực tiếp người gọi.',

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
  'ticket.priority': 'Mức độ',
  'ticket.outcome': 'Kết quả tiếp nhận',
  'ticket.outcome.assign': 'Chuyển cơ quan xử lý',
  'ticket.outcome.answered': 'Đã trả lời ngay',
  'ticket.outcome.callback': 'Cần gọi lại',
  'ticket.answer': 'Nội dung trả lời',

  'ticketStatus.received': 'Mới tiếp nhận',
  'ticketStatus.answered_at_intake': 'Đã trả lời tại chỗ',
  'ticketStatus.callback_pending': 'Chờ gọi lại',
  'ticketStatus.assigned': 'Đã chuyển cơ quan',
  'ticketStatus.acknowledged': 'Cơ quan đã tiếp nhận',
  'ticketStatus.returned': 'Bị trả lại',
  'ticketStatus.in_progress': 'Đang xử lý',
  'ticketStatus.pending_review': 'Chờ duyệt kết quả',
  'ticketStatus.resolved': 'Đã giải quyết',
  'ticketStatus.closed': 'Đã đóng',
  'ticketStatus.reopened': 'Mở lại',
  'ticketStatus.rejected': 'Từ chối',
  'ticketStatus.duplicate': 'Trùng lặp',

  'action.assign': 'Chuyển cơ quan',
  'action.answer': 'Trả lời',
  'action.request_callback': 'Cần gọi lại',
  'action.acknowledge': 'Tiếp nhận',
  'action.return': 'Trả lại',
  'action.start': 'Bắt đầu xử lý',
  'action.note': 'Thêm tiến độ',
  'action.post_result': 'Gửi kết quả',
  'action.approve': 'Duyệt',
  'action.send_back': 'Trả lại cơ quan',
  'action.close': 'Đóng phiếu',
  'action.reopen': 'Mở lại',
  'action.reject': 'Từ chối',
  'action.mark_duplicate': 'Đánh dấu trùng lặp',
  'action.forTicket': '{action} phiếu {code}',
  'action.done': 'Đã thực hiện: {action} phiếu {code}.',

  'event.create': 'Tạo phiếu',
  'event.extend': 'Gia hạn',
  'event.escalate': 'Báo quá hạn cho giám sát',
  'event.warn': 'Cảnh báo sắp đến hạn',
  'event.deliver': 'Chuyển đến hệ thống cơ quan',
  'event.system': 'Hệ thống',

  'field.reason': 'Lý do',
  'field.text.note': 'Nội dung tiến độ',
  'field.text.post_result': 'Kết quả giải quyết',
  'field.text.answer': 'Nội dung trả lời',
  'field.parentId': 'Số phiếu gốc (ID)',
  'field.agency': 'Cơ quan xử lý',
  'field.newDue': 'Hạn giải quyết mới',

  'priority.label': 'Mức độ',
  'due.overdue': 'Quá hạn',
  'due.soon': 'Sắp đến hạn',
  'due.ack': 'Tiếp nhận',
  'due.resolve': 'Giải quyết',
  'due.none': 'Không có hạn',

  'detail.heading': 'Chi tiết phiếu',
  'detail.empty': 'Chọn một phiếu trong danh sách để xem chi tiết.',
  'detail.trackingCode': 'Mã tra cứu',
  'detail.status': 'Trạng thái',
  'detail.priority': 'Mức độ',
  'detail.category': 'Lĩnh vực',
  'detail.district': 'Địa bàn',
  'detail.agency': 'Cơ quan xử lý',
  'detail.caller': 'Số điện thoại',
  'detail.callerName': 'Người gọi',
  'detail.created': 'Tạo lúc',
  'detail.description': 'Nội dung',
  'detail.result': 'Kết quả của cơ quan',
  'detail.extension': 'Đã gia hạn',
  'detail.parent': 'Trùng với phiếu',
  'detail.timeline': 'Nhật ký xử lý',
  'detail.actions': 'Thao tác',
  'detail.noActions': 'Không có thao tác nào ở trạng thái này.',
  'detail.noEvents': 'Chưa có nhật ký.',

  'list.trackingCode': 'Mã phiếu',
  'list.priority': 'Mức độ',
  'list.codePriority': 'Mã phiếu / Mức độ',
  'list.categoryDistrict': 'Lĩnh vực / Địa bàn',
  'list.category': 'Lĩnh vực',
  'list.district': 'Địa bàn',
  'list.agency': 'Cơ quan',
  'list.created': 'Tạo lúc',
  'list.status': 'Trạng thái',
  'list.due': 'Thời hạn',
  'list.result': 'Kết quả',
  'list.actions': 'Thao tác',
  'list.open': 'Xem phiếu {code}',
  'list.empty': 'Không có phiếu nào.',

  'inbox.heading': 'Hộp thư cơ quan',
  'inbox.caption': 'Phiếu của cơ quan',
  'inbox.filter': 'Lọc theo trạng thái',
  'inbox.group.all': 'Tất cả',
  'inbox.group.new': 'Mới',
  'inbox.group.working': 'Đang xử lý',
  'inbox.group.review': 'Chờ duyệt',
  'inbox.group.done': 'Đã xong',
  'inbox.newTicket': 'Có phiếu mới: {code}',
  'inbox.noAgency': 'Tài khoản chưa được gắn với cơ quan nào.',

  'tickets.heading': 'Theo dõi phiếu',
  'tickets.review': 'Chờ duyệt kết quả',
  'tickets.deadlines': 'Quá hạn và sắp đến hạn',
  'tickets.overdueCaption': 'Phiếu quá hạn — {agency}',
  'tickets.soonCaption': 'Phiếu sắp đến hạn (24 giờ) — {agency}',
  'tickets.noOverdue': 'Không có phiếu quá hạn hoặc sắp đến hạn.',
  'tickets.extend': 'Gia hạn',
  'tickets.extendTitle': 'Gia hạn phiếu {code}',
  'tickets.extended': 'Đã gia hạn phiếu {code}.',
  'tickets.badDue': 'Vui lòng chọn ngày giờ hợp lệ.',
  'tickets.report': 'Tỷ lệ đúng hạn',
  'tickets.reportCaption': 'Tỷ lệ giải quyết đúng hạn theo cơ quan, {from} – {to}',
  'tickets.from': 'Từ ngày',
  'tickets.to': 'Đến ngày',
  'tickets.show': 'Xem báo cáo',
  'tickets.badPeriod': 'Khoảng thời gian không hợp lệ.',
  'tickets.open': 'Đang mở',
  'tickets.overdue': 'Quá hạn',
  'tickets.dueSoon': 'Sắp đến hạn',
  'tickets.resolved': 'Đã giải quyết',
  'tickets.resolvedOnTime': 'Đúng hạn',
  'tickets.onTimeRate': 'Tỷ lệ đúng hạn',
  'tickets.dead': 'Chuyển phiếu thất bại',
  'tickets.deadCaption': 'Phiếu không chuyển được đến hệ thống cơ quan',
  'tickets.attempts': 'Số lần thử',
  'tickets.lastError': 'Lỗi gần nhất',
  'tickets.retry': 'Gửi lại',
  'tickets.retried': 'Đã xếp lịch gửi lại phiếu {code}.',
  'tickets.noDead': 'Không có phiếu nào chuyển thất bại.',
  'tickets.recent': 'Phiếu gần đây',
  'tickets.recentCaption': 'Phiếu gần đây nhất',
  'tickets.deadlineOverdue': 'Phiếu {code} đã quá hạn {due}.',
  'tickets.deadlineWarning': 'Phiếu {code} đã dùng 75% thời hạn {due}.',
  'tickets.dueAck': 'tiếp nhận',
  'tickets.dueResolve': 'giải quyết',
  'tickets.alerts': 'Cảnh báo thời hạn',

  'admin.heading': 'Quản trị',
  'admin.routing': 'Ma trận phân luồng',
  'admin.routingCaption': 'Cơ quan xử lý theo lĩnh vực (hàng) và địa bàn (cột)',
  'admin.routingHint': 'Chọn cơ quan trong một ô để lưu ngay. Ô trống dùng cơ quan mặc định của lĩnh vực.',
  'admin.default': 'Mặc định',
  'admin.useDefault': '(mặc định)',
  'admin.cellLabel': '{category} — {district}',
  'admin.saved': 'Đã lưu: {category} — {district} → {agency}.',
  'admin.sms': 'Tin nhắn SMS gửi người dân',
  'admin.smsCaption': 'Hộp thư đi SMS',
  'admin.smsTime': 'Thời gian',
  'admin.smsTo': 'Số nhận',
  'admin.smsEvent': 'Sự kiện',
  'admin.smsStatus': 'Trạng thái',
  'admin.smsBody': 'Nội dung',
  'admin.smsEmpty': 'Chưa có tin nhắn nào.',
  'admin.refresh': 'Tải lại',

  'sms.ticket_created': 'Tạo phiếu',
  'sms.ticket_resolved': 'Đã giải quyết',
  'sms.status_lookup': 'Tra cứu kết quả',
  'smsStatus.pending': 'Chờ gửi',
  'smsStatus.sent': 'Đã gửi',
  'smsStatus.failed': 'Gửi lỗi',

  'wallboard.heading': 'Bảng theo dõi',
  'wallboard.mode.normal': 'Tổng đài hoạt động bình thường',
  'wallboard.mode.fallback':
    'Chế độ dự phòng: hệ thống điều phối cuộc gọi đang gián đoạn. Cuộc gọi vào hàng chờ dự phòng của tổng đài và đổ chuông thẳng tới tổng đài viên, không có thông tin người gọi.',
  'wallboard.mode.down': 'Mất kết nối tổng đài: không nhận được cuộc gọi. Hệ thống đang tự kết nối lại…',
  'wallboard.fallbackQueue': 'Hàng chờ dự phòng của tổng đài',
  'wallboard.fallbackNote': 'Số liệu từ khi máy chủ khởi động',
  'wallboard.queues': 'Hàng đợi',
  'wallboard.queue': 'Hàng đợi',
  'wallboard.waiting': 'Đang chờ',
  'wallboard.longestWait': 'Chờ lâu nhất',
  'wallboard.answered': 'Đã trả lời',
  'wallboard.abandoned': 'Bỏ máy',
  'wallboard.serviceLevel': 'Tỷ lệ phục vụ (≤ {seconds} giây)',
  'wallboard.averageSpeedOfAnswer': 'Thời gian chờ trả lời trung bình',
  'wallboard.todayNote': 'Số liệu tính từ 0 giờ hôm nay',
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
  'state.wrap_up': 'Wrap-up',
  'reason.break': 'Break',
  'reason.training': 'Training',
  'reason.callback_work': 'Callback work',
  'reason.missed_call': 'Missed a call',
  'reason.connection_lost': 'Connection lost',
  'operator.extendWrapUp': 'More time',
  'call.answer': 'Answer',
  'call.reject': 'Decline',
  'call.hangup': 'Hang up',
  'ticket.submit': 'Create ticket',
  'wallboard.mode.normal': 'Telephony is working normally',
  'wallboard.mode.fallback':
    'Fallback mode: the call controller is down. Calls go to the exchange’s fallback queue and ring operators directly, without caller details.',
  'wallboard.mode.down': 'Telephony connection lost: no calls can come in. Reconnecting…',
  'wallboard.fallbackQueue': 'Exchange fallback queue',
  'wallboard.fallbackNote': 'Figures since the server started',
  'wallboard.answered': 'Answered',
  'wallboard.abandoned': 'Abandoned',
  'wallboard.serviceLevel': 'Service level (≤ {seconds} s)',
  'wallboard.averageSpeedOfAnswer': 'Average speed of answer',
  'wallboard.todayNote': 'Figures since midnight today',
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
export const reasonLabel = (reason: NotReadyReason): string => t(`reason.${reason}`);
/** "Tạm nghỉ: Đào tạo" for a not-ready operator with a reason, the state's label otherwise. */
export const agentStateLabel = (state: AgentState, reason: NotReadyReason | null): string =>
  state === 'not_ready' && reason ? `${stateLabel(state)}: ${reasonLabel(reason)}` : stateLabel(state);
export const ticketStatusLabel = (status: TicketStatus): string => t(`ticketStatus.${status}`);
export const actionLabel = (action: TicketAction): string => t(`action.${action}`);
export const smsEventLabel = (event: SmsEvent): string => t(`sms.${event}`);

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
