/**
 * Operators' softphone accounts in Asterisk: the PJSIP endpoint, auth and AOR of each browser
 * softphone (`pjsipObjects`), and `OperatorSync`, which keeps the accounts Asterisk has pushed in
 * step with the operators the hotline has, so a new operator registers and a disabled one is
 * refused without a restart. The objects live in Asterisk's astdb (`dialplan/sorcery.conf`).
 */
import type { Logger } from 'pino';
import type { OperatorAccount } from './api.ts';
import {
  AriDisconnectedError,
  type AriPort,
  AriRequestError,
  type PjsipField,
  type PjsipObjectType,
} from './port.ts';

/** One PJSIP object of an operator's account. */
export interface PjsipObject {
  type: PjsipObjectType;
  id: string;
  fields: PjsipField[];
}

const field = (attribute: string, value: string | number): PjsipField => ({
  attribute,
  value: String(value),
});

/**
 * The account's objects, in the order they are created (the endpoint names the other two). All
 * three carry the operator's username as their id.
 */
export function pjsipObjects(account: {
  sipEndpoint: string;
  displayName: string;
  sipPassword: string;
}): PjsipObject[] {
  const id = account.sipEndpoint;
  const name = account.displayName.replaceAll('"', "'").replace(/[\r\n]/g, ' ');
  return [
    {
      type: 'auth',
      id,
      fields: [field('auth_type', 'userpass'), field('username', id), field('password', account.sipPassword)],
    },
    {
      type: 'aor',
      id,
      fields: [field('max_contacts', 1), field('remove_existing', 'yes'), field('qualify_frequency', 20)],
    },
    {
      type: 'endpoint',
      id,
      fields: [
        field('context', 'from-operators'),
        field('transport', 'transport-ws'),
        field('disallow', 'all'),
        // G.711 first, as the trunk carries it: a citizen's call reaches the browser without
        // transcoding (the controller dials operators with the caller's codecs), and Asterisk
        // prefers this order over the browser's when the operator calls out.
        field('allow', 'alaw,ulaw,opus'),
        field(
          'codec_prefs_incoming_offer',
          'prefer: configured, operation: intersect, keep: all, transcode: allow',
        ),
        field('webrtc', 'yes'),
        field('direct_media', 'no'),
        field('dtmf_mode', 'rfc4733'),
        // A browser that vanished without a BYE (crash, network cut) stops sending audio: Asterisk
        // ends its leg after this many seconds, and the controller puts the caller back in the queue.
        field('rtp_timeout', 10),
        field('callerid', `"${name}" <${id}>`),
        field('auth', id),
        field('aors', id),
      ],
    },
  ];
}

/** The same objects as pjsip.conf sections, for an Asterisk run without the controller (a benchmark baseline). */
export function pjsipConfSections(accounts: Parameters<typeof pjsipObjects>[0][]): string {
  return accounts
    .flatMap(pjsipObjects)
    .map((o) =>
      [`[${o.id}]`, `type = ${o.type}`, ...o.fields.map((f) => `${f.attribute} = ${f.value}`)].join('\n'),
    )
    .join('\n\n');
}

/** What one synchronisation does: accounts to create or update, and endpoints to delete. */
export interface SyncPlan {
  put: { endpoint: string; objects: PjsipObject[]; fingerprint: string }[];
  remove: string[];
}

/**
 * Compares what Asterisk was given (endpoint → fingerprint of its objects) and, after a
 * reconnect, the endpoints Asterisk lists, with the accounts it should have.
 */
export function planSync(
  pushed: ReadonlyMap<string, string>,
  desired: readonly OperatorAccount[],
  present: readonly string[] = [],
): SyncPlan {
  // An operator without a live softphone login has no account in Asterisk.
  const wanted = new Map(
    desired.flatMap((a) =>
      a.sipPassword === null ? [] : [[a.sipEndpoint, { ...a, sipPassword: a.sipPassword }] as const],
    ),
  );
  const remove = [...new Set([...pushed.keys(), ...present])].filter((name) => !wanted.has(name));
  const put: SyncPlan['put'] = [];
  for (const [endpoint, account] of wanted) {
    const objects = pjsipObjects(account);
    const fingerprint = JSON.stringify(objects);
    if (pushed.get(endpoint) !== fingerprint) put.push({ endpoint, objects, fingerprint });
  }
  return { put, remove };
}

/**
 * Keeps Asterisk's pushed operator accounts equal to the hotline's operators. Runs one at a time;
 * only what Asterisk confirmed counts as pushed, so a failed object is tried again by the next
 * run. After each (re)connect Asterisk may have restarted or missed a deletion: everything is
 * pushed again and endpoints it lists that are no operator's are deleted (pjsip.conf's own, like
 * the trunk, refuse and stay).
 */
export class OperatorSync {
  private desired: OperatorAccount[];
  private readonly pushed = new Map<string, string>();
  private listNeeded = true;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ari: Pick<AriPort, 'putPjsipObject' | 'deletePjsipObject' | 'listPjsipEndpoints'>,
    private readonly log: Logger,
    /** The operators at start, pushed on the first connect. */
    initial: readonly OperatorAccount[] = [],
  ) {
    this.desired = [...initial];
  }

  /** The operators Asterisk should have; resolves once a run after this call is over (rejects if it failed). */
  set(accounts: readonly OperatorAccount[]): Promise<void> {
    this.desired = [...accounts];
    return this.run();
  }

  /** ARI is (again) connected: push everything and prune. Never rejects. */
  connected(): Promise<void> {
    this.pushed.clear();
    this.listNeeded = true;
    return this.run().catch((err: unknown) => {
      this.log.error({ err }, 'could not push the operators’ softphone accounts to Asterisk');
    });
  }

  private run(): Promise<void> {
    const run = this.chain.then(() => this.onceConnected());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * A port that refuses while disconnected pushes nothing until the reconnect, which pushes
   * everything (the real adapter pushes whenever Asterisk's REST interface answers).
   */
  private async onceConnected(): Promise<void> {
    try {
      await this.once();
    } catch (err) {
      if (!(err instanceof AriDisconnectedError)) throw err;
      this.listNeeded = true;
      this.log.debug('ARI is down; the operators’ accounts are pushed once it is back');
    }
  }

  private async once(): Promise<void> {
    let present: string[] = [];
    if (this.listNeeded) {
      present = await this.ari.listPjsipEndpoints();
      this.listNeeded = false;
    }
    const plan = planSync(this.pushed, this.desired, present);
    const failures: unknown[] = [];
    let removed = 0;
    for (const endpoint of plan.remove) {
      try {
        if (await this.remove(endpoint)) removed++;
      } catch (err) {
        if (err instanceof AriDisconnectedError) throw err;
        failures.push(err);
        this.log.error({ err, endpoint }, 'could not delete an operator’s softphone account');
      }
    }
    for (const { endpoint, objects, fingerprint } of plan.put) {
      this.pushed.delete(endpoint);
      try {
        for (const o of objects) await this.ari.putPjsipObject(o.type, o.id, o.fields);
        this.pushed.set(endpoint, fingerprint);
      } catch (err) {
        if (err instanceof AriDisconnectedError) throw err;
        failures.push(err);
        this.log.error({ err, endpoint }, 'could not push an operator’s softphone account');
      }
    }
    if (plan.put.length > 0 || removed > 0)
      this.log.info({ pushed: plan.put.length, removed }, 'operators’ softphone accounts updated');
    if (failures.length > 0) throw new AggregateError(failures, 'some softphone accounts were not updated');
  }

  /**
   * Endpoint first, so nothing can register or be called on it while its auth and AOR go. False
   * for one of pjsip.conf's (the trunk): not an operator's, and not Asterisk's to forget.
   */
  private async remove(endpoint: string): Promise<boolean> {
    try {
      await this.ari.deletePjsipObject('endpoint', endpoint);
    } catch (err) {
      if (err instanceof AriRequestError && err.status === 403 && !this.pushed.has(endpoint)) return false;
      throw err;
    }
    await this.ari.deletePjsipObject('auth', endpoint);
    await this.ari.deletePjsipObject('aor', endpoint);
    this.pushed.delete(endpoint);
    this.log.info({ endpoint }, 'operator’s softphone account deleted');
    return true;
  }
}
