import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../server/forwarding/signature.ts';

const SECRET = 'agency-secret';
const BODY = JSON.stringify({ trackingCode: '572000004', description: 'Đèn đường hỏng' });
const NOW = 1_750_000_000;

function headers(timestamp: number, signature = signBody(SECRET, timestamp, BODY)) {
  return { 'x-hotline-timestamp': String(timestamp), 'x-hotline-signature': `sha256=${signature}` };
}

describe('forward signature', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    // Reference value computed independently: printf '1750000000.{"a":1}' | openssl dgst -sha256 -hmac k
    expect(signBody('k', NOW, '{"a":1}')).toBe(
      '8b9a863655334b3c16615b77971ce1dd8ac4ce0895f46c7059676b1b53759fcd',
    );
  });

  it('accepts a fresh signature, from node headers, fetch Headers or a Buffer body', () => {
    expect(verifySignature(SECRET, headers(NOW), BODY, 300, NOW)).toBe(true);
    expect(verifySignature(SECRET, new Headers(headers(NOW - 100)), Buffer.from(BODY), 300, NOW)).toBe(true);
  });

  it.each([
    ['another secret', () => verifySignature('other', headers(NOW), BODY, 300, NOW)],
    ['a changed body', () => verifySignature(SECRET, headers(NOW), `${BODY} `, 300, NOW)],
    ['a stale timestamp', () => verifySignature(SECRET, headers(NOW - 301), BODY, 300, NOW)],
    ['a future timestamp', () => verifySignature(SECRET, headers(NOW + 301), BODY, 300, NOW)],
    [
      'a timestamp that was not signed',
      () =>
        verifySignature(SECRET, { ...headers(NOW), 'x-hotline-timestamp': String(NOW - 1) }, BODY, 300, NOW),
    ],
    ['no signature', () => verifySignature(SECRET, { 'x-hotline-timestamp': String(NOW) }, BODY, 300, NOW)],
    [
      'no timestamp',
      () =>
        verifySignature(
          SECRET,
          { 'x-hotline-signature': headers(NOW)['x-hotline-signature'] },
          BODY,
          300,
          NOW,
        ),
    ],
    [
      'a truncated signature',
      () => verifySignature(SECRET, headers(NOW, signBody(SECRET, NOW, BODY).slice(2)), BODY, 300, NOW),
    ],
    ['a non-hex signature', () => verifySignature(SECRET, headers(NOW, 'z'.repeat(64)), BODY, 300, NOW)],
  ])('rejects %s', (_, check) => {
    expect(check()).toBe(false);
  });
});
