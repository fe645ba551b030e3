import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlreadyRunningError, stopLeftovers } from '../../scripts/lib/leftovers.ts';
import { isAlive, type ProcessRef, processRef } from '../../scripts/lib/processes.ts';
import { startSettings } from '../../scripts/lib/start-settings.ts';

describe('npm start settings', () => {
  it("keeps Asterisk's log beside a database outside data/", () => {
    const s = startSettings({ HOTLINE_DB_PATH: '/srv/hotline/db.sqlite' }, '/opt/hotline');
    expect(s.dbPath).toBe('/srv/hotline/db.sqlite');
    expect(s.logDir).toBe('/srv/hotline');
  });

  it('defaults to data/ in the checkout, and HOTLINE_LOG_DIR wins', () => {
    expect(startSettings({}, '/opt/hotline').logDir).toBe('/opt/hotline/data');
    expect(startSettings({ HOTLINE_DB_PATH: ':memory:' }, '/opt/hotline').logDir).toBe('/opt/hotline/data');
    expect(startSettings({ HOTLINE_LOG_DIR: 'logs' }, '/opt/hotline').logDir).toBe('/opt/hotline/logs');
  });

  it('takes the documented ports, starts nothing for a given Redis or Asterisk, and names a bad port', () => {
    const s = startSettings({ HOTLINE_SIP_PORT: '15060', HOTLINE_REDIS_PORT: '16379' }, '/opt/hotline');
    expect(s.redisPort).toBe(16379);
    expect(s.asterisk).toMatchObject({ sipPort: 15060, httpPort: 8088, amiPort: 5038 });
    expect(s.consolePort).toBe(8080);
    const given = startSettings(
      { HOTLINE_REDIS_URL: 'redis://10.0.0.2:6379', HOTLINE_ARI_URL: 'http://10.0.0.3:8088' },
      '/opt/hotline',
    );
    expect(given.redisPort).toBeNull();
    expect(given.asterisk).toBeNull();
    expect(() => startSettings({ HOTLINE_AMI_PORT: 'abc' }, '/opt/hotline')).toThrow(/HOTLINE_AMI_PORT/);
  });

  it('gives each checkout its own Asterisk instance folder', () => {
    expect(startSettings({}, '/opt/a').asterisk?.instance).not.toBe(
      startSettings({}, '/opt/b').asterisk?.instance,
    );
  });
});

describe('what a killed npm start left running', () => {
  const sleeper = async (): Promise<ProcessRef> => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    return processRef(child.pid!)!;
  };
  const recordFile = (starter: ProcessRef, processes: ProcessRef[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'hotline-leftovers-')), 'npm-start.json');
    writeFileSync(file, JSON.stringify({ starter, processes }));
    return file;
  };

  it('is stopped by the next start', async () => {
    const left = await sleeper();
    const gone = { name: 'npm start', pid: left.pid, startTime: 'not-the-same-process' };
    const stopped = await stopLeftovers(recordFile(gone, [left]));
    expect(stopped.map((p) => p.pid)).toEqual([left.pid]);
    expect(isAlive(left)).toBe(false);
  });

  it('is left alone while that npm start still runs', async () => {
    const starter = await sleeper();
    const redis = await sleeper();
    await expect(stopLeftovers(recordFile(starter, [redis]))).rejects.toBeInstanceOf(AlreadyRunningError);
    expect(isAlive(redis)).toBe(true);
    process.kill(starter.pid);
    process.kill(redis.pid);
  });
});
