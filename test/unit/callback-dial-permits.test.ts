/**
 * An operator's dial permit goes through the call controller's ARI client (one ARI client for the
 * whole product): `createIvrDialPermits` sets and clears the dialplan's global variable through
 * `setGlobalVariable`, and nothing in the server speaks ARI's REST interface itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIvrDialPermits, permitVariable } from '../../server/callbacks/dial-permits.ts';
import { FakeAri } from '../support/ari-fake.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('dial permits', () => {
  it('are set and cleared through the controller’s ARI client', async () => {
    const ari = new FakeAri();
    const permits = createIvrDialPermits(ari);
    await permits.allow('tdv01', '0911000111');
    expect(ari.globals.get(permitVariable('tdv01'))).toBe('0911000111');
    await permits.revoke('tdv01');
    expect(ari.globals.get('CALLBACK_tdv01')).toBe('');
    expect(ari.ops('setGlobalVariable').map((o) => o.args)).toEqual([
      ['CALLBACK_tdv01', '0911000111'],
      ['CALLBACK_tdv01', ''],
    ]);
  });

  it('a failing ARI request rejects the permit (the claim answers 503)', async () => {
    const ari = new FakeAri();
    ari.failNext('setGlobalVariable', new Error('Asterisk away'));
    await expect(createIvrDialPermits(ari).allow('tdv01', '0911000111')).rejects.toThrow('Asterisk away');
  });

  it('no server file speaks ARI’s REST interface over a client of its own', () => {
    const offenders = sources('server').filter((f) => readFileSync(f, 'utf8').includes('/ari/'));
    expect(offenders).toEqual([]);
  });
});
