/**
 * Which number each operator's softphone may dial out through the trunk. The dialplan lets an
 * operator endpoint reach the trunk only for the number in its permit (a global variable
 * `CALLBACK_<endpoint>`, cleared when the call starts), so a softphone cannot dial anyone but the
 * citizen of the callback task its operator claimed. Set through ARI's REST interface.
 */
export interface DialPermits {
  allow(endpoint: string, number: string): Promise<void>;
  revoke(endpoint: string): Promise<void>;
}

/** The dialplan's variable name for an endpoint's permit; `dialplan/extensions.conf` reads it. */
export const permitVariable = (endpoint: string): string => `CALLBACK_${endpoint}`;

const TIMEOUT_MS = 3000;

export function createAriDialPermits(ari: { url: string; username: string; password: string }): DialPermits {
  const auth = `Basic ${Buffer.from(`${ari.username}:${ari.password}`).toString('base64')}`;
  const set = async (endpoint: string, value: string) => {
    const query = new URLSearchParams({ variable: permitVariable(endpoint), value });
    const res = await fetch(`${ari.url.replace(/\/$/, '')}/ari/asterisk/variable?${query}`, {
      method: 'POST',
      headers: { authorization: auth },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`ARI refused the dial permit: ${res.status}`);
  };
  return {
    allow: (endpoint, number) => set(endpoint, number),
    revoke: (endpoint) => set(endpoint, ''),
  };
}

/** Without telephony nothing can be dialled; claims still work (e.g. to give a task up). */
export const NO_DIAL_PERMITS: DialPermits = {
  allow: async () => {},
  revoke: async () => {},
};
