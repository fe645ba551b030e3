/**
 * The consent text the web form shows next to its submit button. A citizen's request records the
 * version they accepted; a changed text gets a new version (the date it took effect), and a form
 * still showing an older one is asked to reload.
 */
export const CONSENT = Object.freeze({
  version: '2026-12-07',
  text:
    'Tôi đồng ý để Tổng đài 1022 lưu nội dung phản ánh, ảnh, vị trí, họ tên và số điện thoại của tôi, ' +
    'chuyển cho cơ quan có thẩm quyền để giải quyết và liên hệ lại với tôi qua số điện thoại này. ' +
    'Thông tin cá nhân của tôi không được công khai; trang tra cứu chỉ hiện tình trạng và kết quả giải quyết.',
});
