import { describe, expect, it } from 'vitest';
import { mapAriError } from '../../ivr/ari.ts';
import { AriRequestError, AriTimeoutError, GoneError } from '../../ivr/port.ts';

describe('mapAriError', () => {
  it.each([
    ['{"message":"Channel not found"}', 'channel'],
    ['{"message":"Bridge not found"}', 'bridge'],
    ['{"message":"Playback not found"}', 'playback'],
    ['{"message":"Channel not in Stasis application"}', 'channel'],
    ['{"message":"Resource not found"}', 'unknown'],
  ])('%s is a GoneError (%s)', (body, resource) => {
    const err = mapAriError('hangup', new Error(body));
    expect(err).toBeInstanceOf(GoneError);
    expect(err).toMatchObject({ resource, code: 'ARI_GONE' });
  });

  it.each([
    ['{"message":"Allocation failed"}', 'ARI originate failed: Allocation failed'],
    ['socket hang up', 'ARI originate failed: socket hang up'],
  ])('%s is an AriRequestError', (body, message) => {
    const err = mapAriError('originate', new Error(body));
    expect(err).toBeInstanceOf(AriRequestError);
    expect(err.message).toBe(message);
  });

  it('keeps timeouts as they are', () => {
    const timeout = new AriTimeoutError('answer', 5000);
    expect(mapAriError('answer', timeout)).toBe(timeout);
  });
});
