import { describe, expect, it } from 'vitest';
import { foldVietnamese } from '../../common/text.ts';

describe('foldVietnamese', () => {
  it.each([
    ['Biên Hòa', 'bien hoa'],
    ['Phường Trấn Biên', 'phuong tran bien'],
    ['ĐỒNG NAI', 'dong nai'],
    ['Xã Đăk Ơ', 'xa dak o'],
    ['Thống Nhất', 'thong nhat'],
    ['Lộc Thạnh', 'loc thanh'],
    ['  Xuân   Lộc\t\n', 'xuan loc'],
    ['Bù Đăng', 'bu dang'],
    ['Nghĩa Trung', 'nghia trung'],
    ['Mỹ Ứng Ưu', 'my ung uu'],
    ['', ''],
    ['26068', '26068'],
  ])('%j → %j', (input, folded) => {
    expect(foldVietnamese(input)).toBe(folded);
  });

  it('folds either tone placement (Hoà, Hòa) and either Unicode form alike', () => {
    const composed = 'Hòa'.normalize('NFC');
    const decomposed = 'Hòa'.normalize('NFD');
    expect(foldVietnamese('Hoà')).toBe('hoa');
    expect(foldVietnamese(composed)).toBe(foldVietnamese(decomposed));
  });

  it('is idempotent', () => {
    const once = foldVietnamese('Phường Quyết Thắng (TP Biên Hòa)');
    expect(foldVietnamese(once)).toBe(once);
    expect(once).toBe('phuong quyet thang (tp bien hoa)');
  });
});
