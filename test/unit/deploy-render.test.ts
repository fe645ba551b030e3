import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  renderDeployment,
  renderNginxSite,
  renderServerService,
  renderTurnserverConf,
  renderWatchdogService,
} from '../../deploy/render.ts';
import { renderAsteriskConfig } from '../../dialplan/render.ts';
import { makeTestCa } from '../support/edge.ts';

const exec = promisify(execFile);

const site = {
  serverName: '1022.example.gov.vn',
  httpListen: '80',
  httpsListen: '443',
  tlsCertificate: '/etc/ssl/hotline/chain.pem',
  tlsCertificateKey: '/etc/ssl/hotline/key.pem',
  serverUpstream: '10.20.0.10:8080',
  asteriskHttpUpstream: '10.20.0.10:8088',
};

const relay = {
  listenIp: '203.0.113.1',
  port: 3478,
  relayIp: '10.20.0.1',
  relayPorts: { min: 49152, max: 49999 },
  realm: '1022.example.gov.vn',
  secret: 'a-shared-secret-of-32-characters',
  asteriskMediaIp: '10.20.0.10',
  pidFile: '/run/turnserver/turnserver.pid',
  logFile: 'stdout',
};

/** The lines of a `location` block of the rendered site, by its opening line. */
function location(conf: string, opening: string): string {
  const start = conf.indexOf(`location ${opening} {`);
  expect(start, opening).toBeGreaterThan(-1);
  return conf.slice(start, conf.indexOf('\n    }', start));
}

describe('nginx site', () => {
  const conf = renderNginxSite(site);

  it('proxies SIP over WebSocket to Asterisk’s /ws only, and answers /ari itself', () => {
    expect(conf).not.toMatch(/\{\{/);
    const ws = location(conf, '= /ws');
    expect(ws).toContain('proxy_pass http://hotline_sip_ws/ws;');
    expect(ws).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(ws).toMatch(/proxy_read_timeout 1h;/);
    expect(location(conf, '^~ /ari')).toContain('return 404;');
    expect(location(conf, '= /metrics')).toContain('return 404;');
    expect(conf.match(/proxy_pass http:\/\/hotline_sip_ws/g)).toHaveLength(1);
    expect(conf).toContain('server 10.20.0.10:8088;');
  });

  it('tells the server the client’s address and scheme from every proxied location', () => {
    for (const opening of ['= /ws', '/']) {
      const block = location(conf, opening);
      expect(block).toContain('proxy_set_header X-Forwarded-For $remote_addr;');
      expect(block).toContain('proxy_set_header X-Forwarded-Proto https;');
    }
  });

  it('redirects plain HTTP to HTTPS and terminates TLS 1.2+ with the given certificate', () => {
    expect(conf).toContain('return 301 https://$host$request_uri;');
    expect(conf).toContain('listen 443 ssl http2;');
    expect(conf).toContain('ssl_certificate /etc/ssl/hotline/chain.pem;');
    expect(conf).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
  });

  it('refuses values that would add nginx directives', () => {
    expect(() => renderNginxSite({ ...site, serverName: 'a.vn; include /etc/passwd' })).toThrow(/serverName/);
    expect(() => renderNginxSite({ ...site, serverUpstream: '10.0.0.1:80 backup' })).toThrow(
      /serverUpstream/,
    );
  });

  it('is a configuration Debian’s nginx accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-deploy-'));
    const ca = await makeTestCa(join(dir, 'ca'), site.serverName);
    writeFileSync(
      join(dir, 'site.conf'),
      renderNginxSite({ ...site, tlsCertificate: ca.certificateFile, tlsCertificateKey: ca.keyFile }),
    );
    writeFileSync(
      join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {} http { access_log off; include ${dir}/site.conf; }`,
    );
    await expect(
      exec('nginx', ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')]),
    ).resolves.toBeDefined();
  });
});

describe('coturn', () => {
  const conf = renderTurnserverConf(relay);
  const lines = conf.split('\n');

  it('uses the TURN REST shared secret and relays to Asterisk only', () => {
    expect(conf).not.toMatch(/\{\{/);
    expect(lines).toContain('use-auth-secret');
    expect(lines).toContain('static-auth-secret=a-shared-secret-of-32-characters');
    expect(lines).toContain('realm=1022.example.gov.vn');
    expect(lines).toContain('denied-peer-ip=0.0.0.0-255.255.255.255');
    expect(lines.filter((l) => l.startsWith('allowed-peer-ip='))).toEqual(['allowed-peer-ip=10.20.0.10']);
    expect(lines).toContain('no-multicast-peers');
    expect(lines).toContain('relay-ip=10.20.0.1');
    expect(lines).not.toContain('no-tcp');
  });

  it('refuses a short secret, one coturn would cut at #, and an empty relay port range', () => {
    expect(() => renderTurnserverConf({ ...relay, secret: 'short' })).toThrow(/secret/);
    expect(() => renderTurnserverConf({ ...relay, secret: `${'x'.repeat(30)}#tail` })).toThrow(/secret/);
    expect(() => renderTurnserverConf({ ...relay, relayPorts: { min: 50000, max: 40000 } })).toThrow(/ports/);
  });
});

describe('systemd units', () => {
  const service = { appDir: '/opt/hotline-1022', envFile: '/etc/hotline-1022.env', user: 'hotline' };

  it('runs the built server from the checkout with the environment file', () => {
    const unit = renderServerService(service);
    expect(unit).toContain('ExecStart=/usr/bin/node /opt/hotline-1022/dist/server/main.js');
    expect(unit).toContain('EnvironmentFile=/etc/hotline-1022.env');
    expect(unit).toContain('User=hotline');
  });

  it('starts the server again a second after any exit, without ever giving up', () => {
    const unit = renderServerService(service);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^RestartSec=1$/m);
    expect(unit).toMatch(/^StartLimitIntervalSec=0$/m);
    expect(unit).toMatch(/^Wants=.*hotline-1022-watchdog\.service/m);
  });

  it('runs the watchdog as a service of its own that outlives the server', () => {
    const unit = renderWatchdogService(service);
    expect(unit).toContain('ExecStart=/usr/bin/node /opt/hotline-1022/dist/server/watchdog-main.js');
    expect(unit).toContain('EnvironmentFile=/etc/hotline-1022.env');
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m);
    // Nothing ties it to the server's unit: it must keep running when the server stops.
    expect(unit).not.toMatch(/^(BindsTo|PartOf|Requisite|Requires)=/m);
  });

  it('writes both units, which systemd accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-units-'));
    const written = renderDeployment({ service: { ...service, user: 'root' } }, dir);
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual([
      'hotline-1022.service',
      'hotline-1022-watchdog.service',
    ]);
    const { stderr } = await exec('systemd-analyze', ['verify', '--man=no', ...written]);
    expect(stderr).toBe('');
  });
});

describe('Asterisk behind a 1:1 NAT', () => {
  const params = {
    etcDir: '/e',
    dataDir: '/d',
    runDir: '/r',
    modulesDir: '/m',
    bindAddress: '10.0.0.5',
    sipPort: 5060,
    httpPort: 8088,
    amiPort: 5038,
    rtpStart: 10000,
    rtpEnd: 20000,
    trunkMatch: '198.51.100.7',
    trunk: { host: '198.51.100.7', port: 5060 },
    hotlineNumber: '1022',
    ari: { username: 'u', password: 'p', allowedOrigins: '*' },
    ami: { username: 'u', password: 'p' },
    operators: [],
  };

  it('advertises the public address as its ICE host candidate only when given one', () => {
    expect(renderAsteriskConfig(params).get('rtp.conf')).not.toContain('[ice_host_candidates]');
    const rtp = renderAsteriskConfig({
      ...params,
      publicMedia: { privateAddress: '10.0.0.5', publicAddress: '203.0.113.7' },
    }).get('rtp.conf');
    expect(rtp).toMatch(/\[ice_host_candidates\]\n10\.0\.0\.5 => 203\.0\.113\.7\n/);
    expect(
      renderAsteriskConfig({
        ...params,
        publicMedia: { privateAddress: '10.0.0.5', publicAddress: '203.0.113.7', keepPrivate: true },
      }).get('rtp.conf'),
    ).toContain('10.0.0.5 => 203.0.113.7,include_local_address');
    expect(() =>
      renderAsteriskConfig({
        ...params,
        publicMedia: { privateAddress: '10.0.0.5', publicAddress: 'x\n[general]' },
      }),
    ).toThrow(/not an IP address/);
  });
});
