import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

const base = { HOTLINE_ARI_ENABLED: 'false' };

describe('operator timing settings', () => {
  it('defaults to a 15 s ring, 30 s wrap-up, +30 s per extension, 180 s at most', () => {
    expect(loadConfig(base).operators).toEqual({
      ringSeconds: 15,
      wrapUp: { wrapUpMs: 30_000, wrapUpExtensionMs: 30_000, maxWrapUpMs: 180_000 },
    });
  });

  it('takes shorter times from the environment; 0 s wrap-up turns it off', () => {
    const config = loadConfig({
      ...base,
      HOTLINE_RING_TIMEOUT_SECONDS: '4',
      HOTLINE_WRAP_UP_SECONDS: '0',
      HOTLINE_WRAP_UP_EXTENSION_SECONDS: '10',
      HOTLINE_WRAP_UP_MAX_SECONDS: '60',
    });
    expect(config.operators).toEqual({
      ringSeconds: 4,
      wrapUp: { wrapUpMs: 0, wrapUpExtensionMs: 10_000, maxWrapUpMs: 60_000 },
    });
  });

  it.each([
    [{ HOTLINE_RING_TIMEOUT_SECONDS: '0' }, /HOTLINE_RING_TIMEOUT_SECONDS/],
    [{ HOTLINE_WRAP_UP_SECONDS: 'soon' }, /HOTLINE_WRAP_UP_SECONDS/],
    [{ HOTLINE_WRAP_UP_SECONDS: '60', HOTLINE_WRAP_UP_MAX_SECONDS: '30' }, /must not be less than/],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});

describe('forwarding settings', () => {
  it('allows four deliveries per agency at once by default, and reads the setting', () => {
    expect(loadConfig(base).forward.agencyConcurrency).toBe(4);
    expect(loadConfig({ ...base, HOTLINE_FORWARD_AGENCY_CONCURRENCY: '2' }).forward.agencyConcurrency).toBe(
      2,
    );
    expect(() => loadConfig({ ...base, HOTLINE_FORWARD_AGENCY_CONCURRENCY: '0' })).toThrow(ConfigError);
  });
});
