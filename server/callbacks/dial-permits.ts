/**
 * Which number each operator's softphone may dial out through the trunk. The dialplan lets an
 * operator endpoint reach the trunk only for the number in its permit (a global variable
 * `CALLBACK_<endpoint>`, cleared when the call starts), so a softphone cannot dial anyone but the
 * citizen of the callback task its operator claimed. Set through the call controller's ARI client
 * (`Ivr.setGlobalVariable`): the product has one ARI client.
 */
export interface DialPermits {
  allow(endpoint: string, number: string): Promise<void>;
  revoke(endpoint: string): Promise<void>;
}

/** The dialplan's variable name for an endpoint's permit; `dialplan/extensions.conf` reads it. */
export const permitVariable = (endpoint: string): string => `CALLBACK_${endpoint}`;

/** What the permits need of the call controller: its ARI client's global variables. */
export interface GlobalVariables {
  setGlobalVariable(name: string, value: string): Promise<void>;
}

export function createIvrDialPermits(ivr: GlobalVariables): DialPermits {
  return {
    allow: (endpoint, number) => ivr.setGlobalVariable(permitVariable(endpoint), number),
    revoke: (endpoint) => ivr.setGlobalVariable(permitVariable(endpoint), ''),
  };
}

/** Without telephony nothing can be dialled; claims still work (e.g. to give a task up). */
export const NO_DIAL_PERMITS: DialPermits = {
  allow: async () => {},
  revoke: async () => {},
};
