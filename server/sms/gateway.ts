/**
 * How text messages leave the hotline. `http` posts JSON to the operator's SMS gateway;
 * `outbox` (development) sends nothing: messages are only shown in the admin outbox page.
 */
import { UnrecoverableError } from 'bullmq';

export interface SmsGateway {
  /** Resolves once the gateway accepted the message; the same `idempotencyKey` is never sent twice. */
  send(to: string, body: string, idempotencyKey: string): Promise<{ providerId: string }>;
}

/** Worth retrying: the gateway is down, slow or busy. */
export class SmsGatewayUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SmsGatewayUnavailableError';
  }
}

export function createOutboxGateway(): SmsGateway {
  return {
    async send(_to, _body, idempotencyKey) {
      return { providerId: `outbox:${idempotencyKey}` };
    },
  };
}

export interface HttpGatewayOptions {
  url: string;
  token: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * POSTs `{ to, body, idempotencyKey }` with `Authorization: Bearer <token>`. 2xx is sent (a JSON
 * `id` or `messageId` in the answer becomes the provider id); 408, 429, 5xx and network errors are
 * retried; any other answer is final.
 */
export function createHttpGateway(opts: HttpGatewayOptions): SmsGateway {
  const doFetch = opts.fetch ?? fetch;
  return {
    async send(to, body, idempotencyKey) {
      let response: Response;
      try {
        response = await doFetch(opts.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${opts.token}`,
            'Idempotency-Key': idempotencyKey,
          },
          body: JSON.stringify({ to, body, idempotencyKey }),
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (err) {
        throw new SmsGatewayUnavailableError('SMS gateway unreachable', { cause: err });
      }
      const text = await response.text().catch(() => '');
      if (response.status >= 200 && response.status < 300) {
        return { providerId: providerIdOf(text) ?? idempotencyKey };
      }
      if (response.status === 408 || response.status === 429 || response.status >= 500) {
        throw new SmsGatewayUnavailableError(`SMS gateway answered ${response.status}`);
      }
      throw new UnrecoverableError(`SMS gateway rejected the message with ${response.status}`);
    },
  };
}

function providerIdOf(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const { id, messageId } = parsed as { id?: unknown; messageId?: unknown };
      const value = id ?? messageId;
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    }
  } catch {
    // Not JSON: the gateway gave no id.
  }
  return null;
}
