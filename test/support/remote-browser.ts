/**
 * Chromium for the production-layout tests: started in a network namespace of its own (the
 * operator's home), reaching the hotline by its public name through the test CA's certificate,
 * and timing a call's media set-up from the page itself.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS } from './e2e.ts';

export interface ChromiumPlace {
  /** Network namespace to run in; the test's own when absent. */
  netns?: string;
  /** The public name and the address it resolves to from there. */
  serverName: string;
  address: string;
  /** The server certificate's SPKI hash: Chromium accepts that certificate, and only it. */
  spkiHash: string;
}

export function launchChromiumAt(place: ChromiumPlace): Promise<Browser> {
  let executablePath = '/usr/bin/chromium';
  if (place.netns) {
    // `ip netns exec` execs Chromium with Playwright's pipes (fds 3 and 4) left open.
    const dir = mkdtempSync(join(tmpdir(), 'hotline-chromium-'));
    executablePath = join(dir, 'chromium-in-netns');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec '${place.netns}' /usr/bin/chromium "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  return chromium.launch({
    executablePath,
    args: [
      ...CHROMIUM_FLAGS,
      `--host-resolver-rules=MAP ${place.serverName} ${place.address}`,
      `--ignore-certificate-errors-spki-list=${place.spkiHash}`,
    ],
  });
}

/** When the operator pressed "Trả lời" and when the call's first audio packets went each way. */
export interface MediaSetup {
  clickedAt: number | null;
  inboundAt: number | null;
  outboundAt: number | null;
  /** Candidate type of the local end of the selected ICE pair (`relay`, `host`, …). */
  localCandidate: string | null;
}

declare global {
  interface Window {
    __mediaSetup?: MediaSetup;
    __resetMediaSetup?: () => void;
  }
}

/**
 * Runs in the page before its own scripts (plain JavaScript: no compiled helpers may leak in):
 * remembers every RTCPeerConnection the softphone makes and, from the answer click on, polls the
 * newest one's getStats() every 5 ms.
 */
const MEDIA_SETUP_PROBE = `(() => {
  const connections = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); connections.push(this); }
  };
  const fresh = () => ({ clickedAt: null, inboundAt: null, outboundAt: null, localCandidate: null });
  window.__mediaSetup = fresh();
  window.__resetMediaSetup = () => { window.__mediaSetup = fresh(); };
  const poll = async () => {
    const t = window.__mediaSetup;
    const pc = connections[connections.length - 1];
    if (!pc) return;
    const report = await pc.getStats();
    const now = performance.now();
    let inbound = 0, outbound = 0, pairId;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound += s.packetsReceived || 0;
      if (s.type === 'outbound-rtp' && s.kind === 'audio') outbound += s.packetsSent || 0;
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    if (inbound > 0 && t.inboundAt === null) t.inboundAt = now;
    if (outbound > 0 && t.outboundAt === null) t.outboundAt = now;
    const pair = pairId && report.get(pairId);
    const local = pair && report.get(pair.localCandidateId);
    if (local) t.localCandidate = local.candidateType;
  };
  const loop = () => {
    const t = window.__mediaSetup;
    if (t.inboundAt !== null && t.outboundAt !== null && t.localCandidate !== null) return;
    poll().finally(() => setTimeout(loop, 5));
  };
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest(ANSWER_BUTTON) : null;
    const t = window.__mediaSetup;
    if (t.clickedAt !== null || !button) return;
    t.clickedAt = performance.now();
    loop();
  }, true);
})();`;

/** `answerButton`: CSS selector of the console's answer button. */
export async function withMediaSetupProbe(
  context: BrowserContext,
  answerButton = 'button#answer',
): Promise<void> {
  await context.addInitScript({
    content: MEDIA_SETUP_PROBE.replace('ANSWER_BUTTON', JSON.stringify(answerButton)),
  });
}

/** Forgets the previous call's timings; call before answering the next one. */
export async function resetMediaSetup(page: Page): Promise<void> {
  await page.evaluate(() => window.__resetMediaSetup?.());
}

/** Answer click → the first audio packet each way, and the later of the two (two-way audio). */
export async function mediaSetup(page: Page): Promise<{
  twoWayMs: number;
  inboundMs: number;
  outboundMs: number;
  localCandidate: string | null;
} | null> {
  const t = await page.evaluate(() => window.__mediaSetup ?? null);
  if (!t || t.clickedAt === null || t.inboundAt === null || t.outboundAt === null) return null;
  const inboundMs = t.inboundAt - t.clickedAt;
  const outboundMs = t.outboundAt - t.clickedAt;
  return {
    twoWayMs: Math.max(inboundMs, outboundMs),
    inboundMs,
    outboundMs,
    localCandidate: t.localCandidate,
  };
}
