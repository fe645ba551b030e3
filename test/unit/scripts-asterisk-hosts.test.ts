/**
 * The Asterisk root's hosts file gets this machine's name, so Asterisk never asks DNS for it while
 * it sets up an operator's call (see `hostsWithOwnName`).
 */
import { describe, expect, it } from 'vitest';
import { hostsWithOwnName } from '../../scripts/lib/asterisk.ts';

const BUILT = '127.0.0.1 localhost\n::1 localhost\n';

describe('hostsWithOwnName', () => {
  it("adds the machine's name to the hosts file the root was built with", () => {
    expect(hostsWithOwnName(BUILT, 'tongdai-1022')).toBe(`${BUILT}127.0.0.1 tongdai-1022\n`);
  });

  it('leaves a file that already names the machine as it is', () => {
    expect(hostsWithOwnName(`${BUILT}127.0.0.1 tongdai-1022\n`, 'tongdai-1022')).toBeNull();
    expect(
      hostsWithOwnName('10.0.0.5   tongdai-1022.tinh.gov.vn  tongdai-1022\n', 'tongdai-1022'),
    ).toBeNull();
  });

  it('does not take a comment, or a longer name, for the machine', () => {
    expect(hostsWithOwnName('# 127.0.0.1 tongdai-1022\n', 'tongdai-1022')).toBe(
      '# 127.0.0.1 tongdai-1022\n127.0.0.1 tongdai-1022\n',
    );
    expect(hostsWithOwnName('127.0.0.1 tongdai-1022-old\n', 'tongdai-1022')).toBe(
      '127.0.0.1 tongdai-1022-old\n127.0.0.1 tongdai-1022\n',
    );
  });

  it('starts a missing or empty file', () => {
    expect(hostsWithOwnName('', 'tongdai-1022')).toBe('127.0.0.1 tongdai-1022\n');
  });
});
