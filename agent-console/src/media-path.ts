/**
 * Which way a call's audio travels, read from the peer connection: straight between the browser
 * and Asterisk (`direct`: a host, server-reflexive or peer-reflexive candidate), through the TURN
 * server (`relay`), lost (`failed`: ICE failed or disconnected), or not known yet (`none`).
 * Pure, so the rules are unit-tested without a browser.
 */

export type MediaPath = 'direct' | 'relay' | 'failed' | 'none';

/** The getStats() fields the path is read from (RTCStats of several types, loosely typed). */
export interface PathStatsLike {
  id: string;
  type: string;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  candidateType?: string;
  state?: string;
  nominated?: boolean;
  selected?: boolean;
}

/**
 * The path of the selected candidate pair: the transport's `selectedCandidatePairId` (Chromium,
 * Safari), else a pair flagged `selected` (Firefox), else a nominated pair that succeeded.
 */
export function readMediaPath(iceState: RTCIceConnectionState, reports: Iterable<PathStatsLike>): MediaPath {
  if (iceState === 'failed' || iceState === 'disconnected') return 'failed';
  const byId = new Map<string, PathStatsLike>();
  for (const report of reports) byId.set(report.id, report);
  const pairs = [...byId.values()].filter((r) => r.type === 'candidate-pair');
  const selectedId = [...byId.values()].find((r) => r.type === 'transport')?.selectedCandidatePairId;
  const pair =
    (selectedId ? byId.get(selectedId) : undefined) ??
    pairs.find((p) => p.selected) ??
    pairs.find((p) => p.nominated && p.state === 'succeeded');
  const local = pair?.localCandidateId ? byId.get(pair.localCandidateId) : undefined;
  switch (local?.candidateType) {
    case 'relay':
      return 'relay';
    case 'host':
    case 'srflx':
    case 'prflx':
      return 'direct';
    default:
      return 'none';
  }
}
