import helmet from 'helmet';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestApp, TestApp } from './utils/test-app';

/**
 * configureAuthApp sets helmet's headers from a set computed once (fixedHeaders), in one step per
 * response. They must be exactly what helmet itself sends with the same configuration.
 */
describe('fixed response headers', () => {
  let t: TestApp;
  let reference: Server;
  beforeAll(async () => {
    t = await startTestApp();
    // helmet itself, as configureAuthApp configures it for plain HTTP (COOKIE_SECURE off in tests).
    const mw = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
    reference = createServer((req, res) => mw(req, res, () => res.end()));
    await new Promise<void>((r) => reference.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => reference.close(r));
  });

  it.each(['/health', '/auth/me', '/no-such-route'])('%s: every header helmet sets, with its value, plus no-store', async (path) => {
    const expected = (await fetch(`http://127.0.0.1:${(reference.address() as AddressInfo).port}/`)).headers;
    const ours = (await request(t.http).get(path)).headers;
    const helmetNames = [...expected.keys()].filter((h) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(h));
    expect(helmetNames.length).toBeGreaterThanOrEqual(10);
    for (const name of helmetNames) expect([name, ours[name]]).toEqual([name, expected.get(name)]);
    expect(ours['cache-control']).toBe('no-store');
    expect(ours['x-powered-by']).toBeUndefined();
  });
});
