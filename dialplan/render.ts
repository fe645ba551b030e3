/**
 * Renders this folder's Asterisk configuration for one hotline instance. Every `{{NAME}}` in a
 * `.conf` file must have a value; a missing one is an error, so a template and its parameters
 * cannot drift apart silently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FALLBACK_CALL_HEADER,
  FALLBACK_CHOICE_SECONDS,
  FALLBACK_CHOICE_VARIABLE,
  FALLBACK_JOURNAL_DAYS,
  FALLBACK_JOURNAL_FAMILY,
  FALLBACK_MENU_SOUND,
  FALLBACK_MOVED_CONTEXT,
  FALLBACK_QUEUE_NAME,
  STASIS_APP,
  STASIS_ROLE,
} from '../ivr/constants.ts';
import { pjsipConfSections } from '../ivr/operator-accounts.ts';

const TEMPLATE_DIR = dirname(fileURLToPath(import.meta.url));

/** An operator's softphone account with a fixed password, for a run without the controller. */
export interface StaticSipAccount {
  endpoint: string;
  password: string;
  displayName: string;
}

export interface AsteriskParams {
  /** Folders as Asterisk sees them (inside its root when it runs in a chroot). */
  etcDir: string;
  dataDir: string;
  runDir: string;
  modulesDir: string;
  bindAddress: string;
  sipPort: number;
  httpPort: number;
  amiPort: number;
  rtpStart: number;
  rtpEnd: number;
  /** Address (or CIDR) the carrier trunk sends from. */
  trunkMatch: string;
  /** Where callback calls to citizens are sent: the carrier trunk's SIP address. */
  trunk: { host: string; port: number };
  /** How long a callback call rings the citizen before it counts as not answered. */
  callbackRingSeconds?: number;
  hotlineNumber: string;
  ari: { username: string; password: string; allowedOrigins: string };
  ami: { username: string; password: string };
  /**
   * Members of the fallback queue. Their softphone accounts are not in the files: the call
   * controller pushes them through ARI (see sorcery.conf).
   */
  operators: { endpoint: string }[];
  /**
   * Asterisk on a host whose public address is a 1:1 NAT of its private one (a cloud VM): its ICE
   * host candidate `privateAddress` is advertised as `publicAddress`, and `keepPrivate` also
   * offers the private one (for operators inside the same network). Unset when Asterisk is on a
   * private network and remote operators reach it through TURN (deploy/README.md).
   */
  publicMedia?: { privateAddress: string; publicAddress: string; keepPrivate?: boolean };
}

const SAFE_VALUE = /^[^\r\n;[\]]*$/;
/** Values that are whole lines of configuration, built here from checked parts. */
const BLOCK_KEYS = new Set(['FALLBACK_MEMBERS', 'ICE_HOST_CANDIDATES']);
const IP_ADDRESS = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]+$/i;

export function fillTemplate(
  template: string,
  values: Record<string, string | number>,
  name: string,
): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    const text = String(value);
    if (!BLOCK_KEYS.has(key) && !SAFE_VALUE.test(text)) {
      throw new Error(`${name}: value for {{${key}}} contains a line break, ';' or brackets`);
    }
    return text;
  });
}

function iceHostCandidates(media: AsteriskParams['publicMedia']): string {
  if (!media) return '';
  for (const address of [media.privateAddress, media.publicAddress]) {
    if (!IP_ADDRESS.test(address)) throw new Error(`rtp.conf: "${address}" is not an IP address`);
  }
  const keep = media.keepPrivate ? ',include_local_address' : '';
  return `[ice_host_candidates]\n${media.privateAddress} => ${media.publicAddress}${keep}`;
}

/** Returns file name → contents for every configuration file Asterisk needs. */
export function renderAsteriskConfig(p: AsteriskParams): Map<string, string> {
  const values: Record<string, string | number> = {
    ETC_DIR: p.etcDir,
    DATA_DIR: p.dataDir,
    RUN_DIR: p.runDir,
    MODULES_DIR: p.modulesDir,
    HTTP_BIND: p.bindAddress,
    HTTP_PORT: p.httpPort,
    SIP_BIND: p.bindAddress,
    SIP_PORT: p.sipPort,
    AMI_BIND: p.bindAddress,
    AMI_PORT: p.amiPort,
    AMI_PERMIT: `${p.bindAddress}/255.255.255.255`,
    RTP_START: p.rtpStart,
    RTP_END: p.rtpEnd,
    TRUNK_MATCH: p.trunkMatch,
    TRUNK_HOST: p.trunk.host,
    TRUNK_PORT: p.trunk.port,
    CALLBACK_RING_SECONDS: p.callbackRingSeconds ?? 45,
    HOTLINE_NUMBER: p.hotlineNumber,
    STASIS_APP,
    STASIS_CITIZEN: STASIS_ROLE.citizen,
    FALLBACK_QUEUE: FALLBACK_QUEUE_NAME,
    FALLBACK_CALL_HEADER,
    FALLBACK_CHOICE: FALLBACK_CHOICE_VARIABLE,
    FALLBACK_MENU_SOUND,
    FALLBACK_CHOICE_SECONDS,
    FALLBACK_JOURNAL: FALLBACK_JOURNAL_FAMILY,
    FALLBACK_JOURNAL_DAYS,
    FALLBACK_MOVED_CONTEXT,
    ARI_USERNAME: p.ari.username,
    ARI_PASSWORD: p.ari.password,
    ARI_ALLOWED_ORIGINS: p.ari.allowedOrigins,
    AMI_USERNAME: p.ami.username,
    AMI_PASSWORD: p.ami.password,
    FALLBACK_MEMBERS: p.operators
      .map((op) => `member => PJSIP/${op.endpoint},0,${op.endpoint},PJSIP/${op.endpoint}`)
      .join('\n'),
    ICE_HOST_CANDIDATES: iceHostCandidates(p.publicMedia),
  };
  const files = new Map<string, string>();
  for (const name of readdirSync(TEMPLATE_DIR)) {
    if (!name.endsWith('.conf')) continue;
    files.set(name, fillTemplate(readFileSync(join(TEMPLATE_DIR, name), 'utf8'), values, name));
  }
  return files;
}

/**
 * The file pjsip.conf includes if it exists: operators' softphone accounts as static sections,
 * for an Asterisk run without the call controller (the benchmark's app_queue baseline). Objects
 * there cannot be changed or deleted at run time.
 */
export const STATIC_OPERATORS_FILE = 'pjsip-static-operators.conf';

export function staticOperatorsConf(accounts: StaticSipAccount[]): string {
  return pjsipConfSections(
    accounts.map((a) => ({ sipEndpoint: a.endpoint, displayName: a.displayName, sipPassword: a.password })),
  );
}
