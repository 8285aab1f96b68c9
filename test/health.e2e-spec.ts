import request from 'supertest';
import { startTestApp, TestApp } from './utils/test-app';

describe('GET /health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('reports the database and the session store up', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'up', sessionStore: 'up' } });
  });

  it('answers unknown routes with a JSON 404 in the standard error shape', async () => {
    const res = await request(t.http).get('/no/such/route').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('does not advertise the framework', async () => {
    const res = await request(t.http).get('/health');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
