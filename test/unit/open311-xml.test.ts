import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escapeXml, toXml, XML_DECLARATION } from '../../server/open311/xml.ts';

const parser = new XMLParser({ parseTagValue: false, trimValues: false });

describe('escapeXml', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<script>', '&lt;script&gt;'],
    ['"trích" \'dẫn\'', '&quot;trích&quot; &apos;dẫn&apos;'],
    ['&amp;', '&amp;amp;'],
    ['Đường Võ Thị Sáu, P. Trấn Biên', 'Đường Võ Thị Sáu, P. Trấn Biên'],
  ])('%j → %j', (text, escaped) => {
    expect(escapeXml(text)).toBe(escaped);
  });

  it('drops characters XML 1.0 cannot carry and keeps tabs, line ends and emoji', () => {
    expect(escapeXml('a\u0000b\u0007c\u001Fd\uFFFEe')).toBe('abcde');
    expect(escapeXml('dòng 1\n\tdòng 2\r\n')).toBe('dòng 1\n\tdòng 2\r\n');
    expect(escapeXml('ổ gà 🕳️')).toBe('ổ gà 🕳️');
    expect(escapeXml('lẻ \uD800 loi \uDC00')).toBe('lẻ  loi ');
  });
});

describe('toXml', () => {
  it('writes the declaration, lists with the spec item names, null and empty lists as empty elements', () => {
    const xml = toXml('services', [
      { service_code: 'health', service_name: 'Y tế', metadata: false, group: null },
      { service_code: 'other', service_name: 'Khác & <lạ>', metadata: false, group: 'Sở Y tế' },
    ]);
    expect(xml.startsWith(`${XML_DECLARATION}\n<services><service><service_code>health</service_code>`)).toBe(
      true,
    );
    expect(xml).toContain('<group/>');
    expect(xml).toContain('<service_name>Khác &amp; &lt;lạ&gt;</service_name>');
    const parsed = parser.parse(xml);
    expect(parsed.services.service[1]).toEqual({
      service_code: 'other',
      service_name: 'Khác & <lạ>',
      metadata: 'false',
      group: 'Sở Y tế',
    });
    expect(toXml('service_definition', { service_code: 'x', attributes: [] })).toContain(
      '<service_definition><service_code>x</service_code><attributes/></service_definition>',
    );
  });

  it('names the items of each list the spec defines', () => {
    const xml = toXml('discovery', { endpoints: [{ formats: ['text/xml', 'application/json'] }] });
    expect(xml).toContain(
      '<endpoints><endpoint><formats><format>text/xml</format><format>application/json</format>',
    );
    expect(toXml('errors', [{ code: 403, description: 'x' }])).toContain(
      '<errors><error><code>403</code><description>x</description></error></errors>',
    );
    expect(toXml('service_requests', [{ service_request_id: '1' }])).toContain('<service_requests><request>');
  });

  it('refuses a list without a known item name and an invalid element name', () => {
    expect(() => toXml('things', [1])).toThrow(/no item element/);
    expect(() => toXml('services', [{ 'bad name': 1 }])).toThrow(/not an XML element name/);
  });
});
