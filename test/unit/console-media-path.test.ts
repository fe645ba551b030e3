/** How the console reads a call's audio path from getStats(), in the shapes the browsers give it. */
import { describe, expect, it } from 'vitest';
import { type PathStatsLike, readMediaPath } from '../../agent-console/src/media-path.ts';

/** A Chromium-style report: the transport names the selected pair, which names its local candidate. */
function chromium(localType: string): PathStatsLike[] {
  return [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP2' },
    { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', state: 'failed', nominated: false },
    { id: 'CP2', type: 'candidate-pair', localCandidateId: 'L2', state: 'succeeded', nominated: true },
    { id: 'L1', type: 'local-candidate', candidateType: 'host' },
    { id: 'L2', type: 'local-candidate', candidateType: localType },
  ];
}

describe('readMediaPath', () => {
  it.each([
    ['host', 'direct'],
    ['srflx', 'direct'],
    ['prflx', 'direct'],
    ['relay', 'relay'],
  ] as const)('a selected pair from a %s candidate is %s', (candidate, path) => {
    expect(readMediaPath('connected', chromium(candidate))).toBe(path);
  });

  it('follows the selected pair, not the first one listed', () => {
    const report = chromium('relay');
    expect(report[1]).toMatchObject({ localCandidateId: 'L1' });
    expect(readMediaPath('completed', report)).toBe('relay');
  });

  it('reads a pair flagged selected (Firefox) or else the nominated pair that succeeded', () => {
    const firefox: PathStatsLike[] = [
      { id: 'p1', type: 'candidate-pair', localCandidateId: 'a', selected: false },
      { id: 'p2', type: 'candidate-pair', localCandidateId: 'b', selected: true },
      { id: 'a', type: 'local-candidate', candidateType: 'host' },
      { id: 'b', type: 'local-candidate', candidateType: 'relay' },
    ];
    expect(readMediaPath('connected', firefox)).toBe('relay');
    const noTransport = chromium('srflx').slice(1);
    expect(readMediaPath('connected', noTransport)).toBe('direct');
  });

  it('is failed when ICE failed or is disconnected, whatever pair was selected', () => {
    expect(readMediaPath('failed', chromium('host'))).toBe('failed');
    expect(readMediaPath('disconnected', chromium('relay'))).toBe('failed');
  });

  it('is unknown before a pair is chosen', () => {
    expect(readMediaPath('checking', [{ id: 'T01', type: 'transport' }])).toBe('none');
    expect(readMediaPath('new', [])).toBe('none');
  });
});
