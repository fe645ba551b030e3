/** Dial permits that remember what the dialplan would allow, for tests without Asterisk. */
import type { DialPermits } from '../../server/callbacks/dial-permits.ts';

export class FakeDialPermits implements DialPermits {
  /** endpoint → the number it may dial now. */
  readonly allowed = new Map<string, string>();
  /** Makes the next `allow` fail, as when Asterisk is unreachable. */
  failNext = false;

  async allow(endpoint: string, number: string): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('ARI unreachable');
    }
    this.allowed.set(endpoint, number);
  }

  async revoke(endpoint: string): Promise<void> {
    this.allowed.delete(endpoint);
  }
}
