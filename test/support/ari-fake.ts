/**
 * An in-memory `AriPort` for unit tests of the Stasis adapter's ordering and error handling.
 * It keeps just enough of Asterisk's state (channels, bridges, who is in which bridge) to check
 * what a call leaves behind. It is not a model of Asterisk: the real one is covered end to end.
 */
import type {
  AriBridge,
  AriChannel,
  AriPort,
  OriginateParams,
  PjsipField,
  PjsipObjectType,
  RecordParams,
  SnoopParams,
} from '../../ivr/port.ts';
import { AriRequestError, GoneError } from '../../ivr/port.ts';

export type AriOperation = Exclude<keyof AriPort, never>;

export interface RecordedCall {
  op: AriOperation;
  args: unknown[];
}

export class FakeAri implements AriPort {
  readonly calls: RecordedCall[] = [];
  /** `appData` (e.g. `hotline,citizen`), `name` and `creationTime` matter to a controller adopting calls. */
  readonly channels = new Map<
    string,
    { callerNumber: string; name?: string; appData?: string; creationTime?: string }
  >();
  readonly bridges = new Map<string, { type: string; channels: Set<string> }>();
  /** Ids of bridges destroyed here: never made again with the same id. */
  private readonly destroyed = new Set<string>();
  /** Stored recordings by name; `recordChannel` / `recordBridge` start one (empty until a test fills it). */
  readonly recordings = new Map<string, Buffer>();
  /** Next failures per operation, consumed one per call; `Error` instances are thrown as they are. */
  private readonly failures = new Map<AriOperation, Error[]>();
  /**
   * PJSIP objects by `type/id`, with their fields as last pushed. `staticPjsip` ones stand for
   * pjsip.conf's (the trunk): listed, but refused updates and deletion as Asterisk refuses them.
   */
  readonly pjsip = new Map<string, Record<string, string>>();
  readonly staticPjsip = new Set<string>(['endpoint/trunk']);
  /** Operations that wait for `release()` before they answer. */
  private readonly gates = new Map<AriOperation, Promise<void>>();

  failNext(op: AriOperation, err: Error, times = 1): void {
    const list = this.failures.get(op) ?? [];
    for (let i = 0; i < times; i++) list.push(err);
    this.failures.set(op, list);
  }

  /** Holds every `op` until the returned function is called. */
  hold(op: AriOperation): () => void {
    let release: () => void = () => {};
    this.gates.set(
      op,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return () => {
      this.gates.delete(op);
      release();
    };
  }

  ops(op?: AriOperation): RecordedCall[] {
    return op ? this.calls.filter((c) => c.op === op) : this.calls;
  }

  /** Bridges other than the fixed queue bridges. */
  leftoverBridges(): string[] {
    return [...this.bridges.keys()].filter((id) => !id.startsWith('hotline-queue-'));
  }

  bridgeOf(channelId: string): string | undefined {
    for (const [id, b] of this.bridges) if (b.channels.has(channelId)) return id;
    return undefined;
  }

  private async enter(op: AriOperation, args: unknown[]): Promise<void> {
    this.calls.push({ op, args });
    const gate = this.gates.get(op);
    if (gate) await gate;
    const err = this.failures.get(op)?.shift();
    if (err) throw err;
  }

  private channel(id: string): void {
    if (!this.channels.has(id)) throw new GoneError('channel', `Channel not found: ${id}`);
  }

  private bridge(id: string) {
    const bridge = this.bridges.get(id);
    if (!bridge) throw new GoneError('bridge', `Bridge not found: ${id}`);
    return bridge;
  }

  private leaveBridges(channelId: string): void {
    for (const b of this.bridges.values()) b.channels.delete(channelId);
  }

  async answer(channelId: string): Promise<void> {
    await this.enter('answer', [channelId]);
    this.channel(channelId);
  }

  async play(channelId: string, media: string[], playbackId: string): Promise<void> {
    await this.enter('play', [channelId, media, playbackId]);
    this.channel(channelId);
  }

  async stopPlayback(playbackId: string): Promise<void> {
    await this.enter('stopPlayback', [playbackId]);
  }

  async hangup(channelId: string): Promise<void> {
    await this.enter('hangup', [channelId]);
    this.channel(channelId);
    this.leaveBridges(channelId);
    this.channels.delete(channelId);
  }

  async originate(params: OriginateParams): Promise<void> {
    await this.enter('originate', [params]);
    this.channels.set(params.channelId, { callerNumber: params.callerId });
  }

  /** Global dialplan variables as last set. */
  readonly globals = new Map<string, string>();

  /** Asterisk's start time as ARI reports it; a test that restarts Asterisk changes it. */
  startedAt = '2024-05-01T06:00:00.000+0000';

  async asteriskStartedAt(): Promise<string> {
    await this.enter('asteriskStartedAt', []);
    return this.startedAt;
  }

  async setGlobalVariable(name: string, value: string): Promise<void> {
    await this.enter('setGlobalVariable', [name, value]);
    this.globals.set(name, value);
  }

  /** A snoop channel appears at once (its StasisStart is the test's to send), on a channel that exists. */
  async snoop(channelId: string, params: SnoopParams): Promise<void> {
    await this.enter('snoop', [channelId, params]);
    this.channel(channelId);
    this.channels.set(params.snoopId, {
      callerNumber: '',
      name: `Snoop/${channelId}`,
      appData: `${params.app},${params.appArgs}`,
    });
  }

  async createBridge(bridgeId: string, type: 'holding' | 'mixing', name: string): Promise<void> {
    await this.enter('createBridge', [bridgeId, type, name]);
    // As Asterisk answers a second create with the same id, or one right after a destroy: a
    // destroyed bridge can linger there a while (its recorder still leaving).
    if (this.bridges.has(bridgeId) || this.destroyed.has(bridgeId))
      throw new AriRequestError('createBridge', `Bridge with id '${bridgeId}' already exists`);
    this.bridges.set(bridgeId, { type, channels: new Set() });
  }

  async addChannel(bridgeId: string, channelIds: string[]): Promise<void> {
    await this.enter('addChannel', [bridgeId, channelIds]);
    const bridge = this.bridge(bridgeId);
    for (const id of channelIds) this.channel(id);
    for (const id of channelIds) {
      this.leaveBridges(id);
      bridge.channels.add(id);
    }
  }

  async removeChannel(bridgeId: string, channelId: string): Promise<void> {
    await this.enter('removeChannel', [bridgeId, channelId]);
    this.bridge(bridgeId).channels.delete(channelId);
  }

  async startMoh(target: { bridgeId: string } | { channelId: string }, mohClass: string): Promise<void> {
    await this.enter('startMoh', [target, mohClass]);
  }

  async destroyBridge(bridgeId: string): Promise<void> {
    await this.enter('destroyBridge', [bridgeId]);
    this.bridge(bridgeId);
    this.bridges.delete(bridgeId);
    this.destroyed.add(bridgeId);
  }

  async listChannels(): Promise<AriChannel[]> {
    await this.enter('listChannels', []);
    return [...this.channels].map(([id, c]) => ({
      id,
      name: c.name ?? `PJSIP/${id}`,
      state: 'Up',
      callerNumber: c.callerNumber,
      creationTime: c.creationTime ?? '',
      appName: 'Stasis',
      appData: c.appData ?? '',
    }));
  }

  async listBridges(): Promise<AriBridge[]> {
    await this.enter('listBridges', []);
    return [...this.bridges].map(([id, b]) => ({ id, type: b.type, channelIds: [...b.channels] }));
  }

  async getChannelVar(channelId: string, variable: string): Promise<string> {
    await this.enter('getChannelVar', [channelId, variable]);
    this.channel(channelId);
    return '';
  }

  async recordChannel(channelId: string, params: RecordParams): Promise<void> {
    await this.enter('recordChannel', [channelId, params]);
    this.channel(channelId);
    this.recordings.set(params.name, Buffer.alloc(0));
  }

  async recordBridge(bridgeId: string, params: RecordParams): Promise<void> {
    await this.enter('recordBridge', [bridgeId, params]);
    this.bridge(bridgeId);
    this.recordings.set(params.name, Buffer.alloc(0));
  }

  async storedRecording(name: string): Promise<Buffer | null> {
    await this.enter('storedRecording', [name]);
    return this.recordings.get(name) ?? null;
  }

  async deleteStoredRecording(name: string): Promise<boolean> {
    await this.enter('deleteStoredRecording', [name]);
    this.recordings.delete(name);
    return true;
  }

  async putPjsipObject(type: PjsipObjectType, id: string, fields: readonly PjsipField[]): Promise<void> {
    await this.enter('putPjsipObject', [type, id, fields]);
    const key = `${type}/${id}`;
    if (this.staticPjsip.has(key))
      throw new AriRequestError('putPjsipObject', `Cannot update sorcery objects of type '${type}'`, 403);
    const object = { ...this.pjsip.get(key) };
    for (const f of fields) object[f.attribute] = f.value;
    this.pjsip.set(key, object);
  }

  async deletePjsipObject(type: PjsipObjectType, id: string): Promise<boolean> {
    await this.enter('deletePjsipObject', [type, id]);
    const key = `${type}/${id}`;
    if (this.staticPjsip.has(key))
      throw new AriRequestError('deletePjsipObject', `Could not delete object with id '${id}'`, 403);
    return this.pjsip.delete(key);
  }

  async listPjsipEndpoints(): Promise<string[]> {
    await this.enter('listPjsipEndpoints', []);
    const keys = [...this.staticPjsip, ...this.pjsip.keys()];
    return keys.filter((k) => k.startsWith('endpoint/')).map((k) => k.slice('endpoint/'.length));
  }
}
