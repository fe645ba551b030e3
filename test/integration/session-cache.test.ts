import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthService, csrfTokenFor, SESSION_CACHE_MS } from '../../server/auth/service.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { sessions } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';

let db: Db;
let password: string;
let clock: number;
const now = () => new Date(clock);

beforeEach(async () => {
  db = openDatabase(':memory:');
  password = (await seedDemo(db, { agencyUrl: null })).password;
  clock = Date.parse('2026-06-01T02:00:00Z');
});
afterEach(() => db.$client.close());

describe('session lookups', () => {
  it('read a session from the database at most once per cache period', async () => {
    const auth = createAuthService({ db, now });
    const { token } = await auth.login('tdv01', password);
    expect(auth.userForToken(token)?.username).toBe('tdv01');
    // Removed behind the service's back: the cached lookup still holds for the cache period …
    db.delete(sessions).run();
    clock += SESSION_CACHE_MS - 1;
    expect(auth.userForToken(token)?.username).toBe('tdv01');
    // … and no longer.
    clock += 1;
    expect(auth.userForToken(token)).toBeNull();
  });

  it('end at once on logout, for every auth service of the process', async () => {
    const api = createAuthService({ db, now });
    const sockets = createAuthService({ db, now });
    const { token } = await api.login('tdv01', password);
    expect(sockets.userForToken(token)?.username).toBe('tdv01');
    expect(api.userForToken(token)?.username).toBe('tdv01');
    api.logout(token);
    expect(api.userForToken(token)).toBeNull();
    expect(sockets.userForToken(token)).toBeNull();
  });

  it('end at the session expiry even while cached', async () => {
    const auth = createAuthService({ db, now, ttlMs: 60_000 });
    const { token } = await auth.login('tdv01', password);
    clock += 60_000 - 10;
    expect(auth.userForToken(token)?.username).toBe('tdv01');
    clock += 10;
    expect(auth.userForToken(token)).toBeNull();
  });

  it('derive the same CSRF token for a session every time, and different ones for different sessions', () => {
    expect(csrfTokenFor('a')).toBe(csrfTokenFor('a'));
    expect(csrfTokenFor('a')).not.toBe(csrfTokenFor('b'));
    expect(csrfTokenFor('a')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
