import fc from 'fast-check';
import request from 'supertest';
import { createUser, loginSession, TestUser } from './utils/auth-helpers';
import { takeViolations } from './utils/openapi-contract';
import { Schema, SchemaArbitraries } from './utils/schema-arbitrary';
import { issueTokens } from './utils/token-helpers';
import { startTestApp, TestApp } from './utils/test-app';

// A fuzzer driven by the app's own /docs-json: for every operation, requests built from the
// document's request schemas (valid, and nearly valid), with each kind of credential the
// operation accepts (and none). Every response must be documented for its operation and match
// its schema (the contract recorder checks each one), and none may be a 5xx.

interface Operation {
  operationId?: string;
  requestBody?: { content: { 'application/json'?: { schema: Schema } } };
  parameters?: Array<{ name: string; in: string; schema?: Schema }>;
  security?: Array<Record<string, string[]>>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

describe('fuzzing from the OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  let user: TestUser;
  const credentials: Record<string, () => Promise<Record<string, string>>> = {};
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await request(t.http).get('/docs-json').expect(200)).body as Document;
    user = await createUser(t, { prefix: 'docfuzz' });
    // Fresh credentials per request: some operations end the sign-in they are called with, and
    // one (DELETE /auth/me, right after a login) ends the account: then a new one takes its place.
    const signedIn = async <T>(login: (u: TestUser) => Promise<T>): Promise<T> => {
      const [row] = await t.sql('SELECT 1 FROM auth_users WHERE id = $1', [user.id]);
      if (!row) user = await createUser(t, { prefix: 'docfuzz' });
      return login(user);
    };
    credentials.none = async () => ({});
    credentials.bearer = async () => ({ Authorization: `Bearer ${(await signedIn((u) => issueTokens(t, u))).accessToken}` });
    credentials.session = async () => {
      const s = await signedIn((u) => loginSession(t, u));
      return { Cookie: s.cookie, 'X-CSRF-Token': s.csrfToken };
    };
    credentials.sessionWithoutCsrf = async () => ({ Cookie: (await signedIn((u) => loginSession(t, u))).cookie });
  });
  afterAll(() => t.close());

  it('every operation, every kind of credential: documented answers only, never a 5xx', async () => {
    const arbitraries = new SchemaArbitraries(doc.components.schemas);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(20);
    let requests = 0;
    for (const { path, method, op } of operations) {
      const bodySchema = op.requestBody?.content['application/json']?.schema;
      const body = bodySchema ? fc.oneof(arbitraries.valid(bodySchema), arbitraries.nearlyValid(bodySchema)) : fc.constant(undefined);
      const pathParams = fc.record(
        Object.fromEntries((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }))])),
      );
      const schemes = (op.security ?? []).flatMap((r) => Object.keys(r));
      const kinds = ['none', ...(schemes.includes('bearer') ? ['bearer'] : []), ...(schemes.includes('session') ? ['session', 'sessionWithoutCsrf'] : [])];
      await fc.assert(
        fc.asyncProperty(body, pathParams, fc.constantFrom(...kinds), async (value, params, kind) => {
          const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(String((params as Record<string, unknown>)[name])));
          let req = request(t.http)[method as 'get'](url).set(await credentials[kind]());
          if (value !== undefined) req = req.set('Content-Type', 'application/json').send(JSON.stringify(value));
          const res = await req;
          requests++;
          expect({ op: `${method.toUpperCase()} ${path}`, status: res.status }).toEqual({ op: `${method.toUpperCase()} ${path}`, status: expect.any(Number) });
          expect(res.status).toBeLessThan(500);
          // Fail on the first undocumented answer, with the request that caused it.
          const violations = takeViolations();
          if (violations.length) throw new Error(`${violations.join('\n')}\nrequest: ${method.toUpperCase()} ${url} (${kind}) ${JSON.stringify(value)?.slice(0, 300)}`);
        }),
        { numRuns: 25 },
      );
    }
    expect(requests).toBeGreaterThanOrEqual(operations.length * 25);
  }, 120_000);
});
