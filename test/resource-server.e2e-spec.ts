import { Controller, DynamicModule, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHmac, generateKeyPairSync, KeyObject, randomUUID, sign as cryptoSign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { JwtClaims, signJwt } from '../src/auth/tokens/jwt-codec';
import { thumbprint } from '../src/auth/tokens/jwt-keyring';
import {
  AccessTokenPrincipal,
  RequireAccessToken,
  ResourceServerAlgorithm,
  ResourceServerModule,
  ResourceServerOptions,
  ResourceServerOptionsError,
} from '../src/resource-server';
import { createUser } from './utils/auth-helpers';
import { decodePart, issueTokens } from './utils/token-helpers';
import { startTestApp, TestApp } from './utils/test-app';

const ISSUER = 'nest-dual-auth';
const AUDIENCE = 'nest-dual-auth-api';
const JWKS_PATH = '/.well-known/jwks.json';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);
const pem = (k: KeyObject, type: 'pkcs8' | 'spki') => k.export({ type, format: 'pem' }).toString();
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

type KeyPair = { privateKey: KeyObject; publicKey: KeyObject };
function keyPair(alg: ResourceServerAlgorithm): KeyPair {
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return generateKeyPairSync('ed25519');
}

/** Any header, any claims, signed with `key` — for the tokens our server would never issue. */
function signRaw(alg: ResourceServerAlgorithm, header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const data = Buffer.from(input);
  const sig =
    alg === 'EdDSA' ? cryptoSign(null, data, key) : alg === 'ES256' ? cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) : cryptoSign('sha256', data, key);
  return `${input}.${sig.toString('base64url')}`;
}

/** Who issues the tokens: our app, signing with RS256, ES256 or EdDSA. */
interface Issuer {
  alg: ResourceServerAlgorithm;
  keys: KeyPair;
  kid: string;
  port: number;
  jwksUrl: string;
  /** How many times the key set was fetched. */
  jwksFetches(): number;
  /** A real access token for a new user with these roles. */
  accessToken(roles?: string[]): Promise<string>;
  /** Signs claims with the issuer's key, as our server does (`typ: at+jwt`, the key's `kid`) unless `header` says otherwise. */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>, key?: KeyObject): string;
  close(): Promise<void>;
}

/** Our real app, signing with `keys`, listening on a real port (the same one again for a restart). */
async function startOurApp(alg: ResourceServerAlgorithm, keys: KeyPair, env: Record<string, string> = {}, port = 0): Promise<Issuer> {
  let fetches = 0;
  const t: TestApp = await startTestApp({ JWT_PRIVATE_KEY: pem(keys.privateKey, 'pkcs8'), ...env }, [], {
    observe: (req, _res, next) => {
      if (req.path === JWKS_PATH) fetches++;
      next();
    },
  });
  await t.app.listen(port, '127.0.0.1');
  const bound = (t.app.getHttpServer().address() as AddressInfo).port;
  const kid = thumbprint(keys.publicKey);
  return {
    alg,
    keys,
    kid,
    port: bound,
    jwksUrl: `http://127.0.0.1:${bound}${JWKS_PATH}`,
    jwksFetches: () => fetches,
    accessToken: async (roles = ['user']) => (await issueTokens(t, await createUser(t, { roles }))).accessToken,
    sign: (claims, header, key = keys.privateKey) =>
      // The exact bytes our server would produce, through its own codec.
      header === undefined ? signJwt(claims as unknown as JwtClaims, { alg, kid, key }) : signRaw(alg, header, claims, key),
    close: () => t.close(),
  };
}

// ---- The other service: its own Nest app, knowing only the kit and the issuer's JWKS URL ----

@Controller('orders')
@RequireAccessToken()
class OrdersController {
  @Get('mine')
  mine(@AccessTokenPrincipal() caller: AccessTokenPrincipal) {
    return { userId: caller.userId, sessionId: caller.sessionId, roles: caller.roles, jti: caller.claims.jti };
  }

  @Get('admin')
  @RequireAccessToken({ roles: ['admin'] })
  admin(@AccessTokenPrincipal() caller: AccessTokenPrincipal) {
    return { userId: caller.userId };
  }
}

// forRootAsync's `imports`/`inject`: a host module providing the issuer's URL (as a ConfigModule would).
const ISSUER_JWKS_URL = Symbol('ISSUER_JWKS_URL');
@Module({})
class IssuerConfigModule {
  static with(jwksUrl: string): DynamicModule {
    return { module: IssuerConfigModule, providers: [{ provide: ISSUER_JWKS_URL, useValue: jwksUrl }], exports: [ISSUER_JWKS_URL] };
  }
}

interface Service {
  app: INestApplication;
  url: string;
}

async function startService(kit: DynamicModule): Promise<Service> {
  @Module({ imports: [kit], controllers: [OrdersController] })
  class OtherServiceModule {}
  // abortOnError: false — a boot that fails (bad options) must reject, not exit the test process.
  const app = await NestFactory.create(OtherServiceModule, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

const kitOptions = (issuer: Pick<Issuer, 'jwksUrl' | 'alg'>): ResourceServerOptions => ({
  jwksUrl: issuer.jwksUrl,
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithm: issuer.alg,
});

/** A refusal: 401 with `error="invalid_token"` and a body that says nothing about why. */
async function expectInvalidToken(service: Service, token: string, path = '/orders/mine'): Promise<void> {
  const res = await request(service.url).get(path).set(bearer(token));
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid access token' });
}

describe.each<ResourceServerAlgorithm>(['RS256', 'ES256', 'EdDSA'])('another service verifying %s access tokens', (alg) => {
  let issuer: Issuer;
  let service: Service;
  beforeAll(async () => {
    issuer = await startOurApp(alg, keyPair(alg));
    // forRoot for the passport-jwt algorithms, forRootAsync (a factory over an injected value) for EdDSA.
    const kit =
      alg === 'EdDSA'
        ? ResourceServerModule.forRootAsync({
            imports: [IssuerConfigModule.with(issuer.jwksUrl)],
            inject: [ISSUER_JWKS_URL],
            useFactory: (jwksUrl: string) => ({ ...kitOptions(issuer), jwksUrl }),
          })
        : ResourceServerModule.forRoot(kitOptions(issuer));
    service = await startService(kit);
  });
  afterAll(async () => {
    await service?.app.close();
    await issuer?.close();
  });

  it('accepts our access token: 200 with the principal from its claims', async () => {
    const token = await issuer.accessToken();
    expect(decodePart(token, 0)).toEqual({ alg, typ: 'at+jwt', kid: issuer.kid });
    const claims = decodePart(token, 1);
    const res = await request(service.url).get('/orders/mine').set(bearer(token)).expect(200);
    expect(res.body).toEqual({ userId: claims.sub, sessionId: claims.sid, roles: ['user'], jti: claims.jti });
    // The control for the refusals below: the same claims re-signed by the test are accepted.
    await request(service.url).get('/orders/mine').set(bearer(issuer.sign(claims))).expect(200);
  });

  it('refuses a request without a token: 401 with a bare Bearer challenge', async () => {
    const res = await request(service.url).get('/orders/mine').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    const basic = await request(service.url).get('/orders/mine').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
    expect(basic.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses an expired token', async () => {
    const claims = decodePart(await issuer.accessToken(), 1);
    await expectInvalidToken(service, issuer.sign({ ...claims, iat: now() - 1000, exp: now() - 60 }));
  });

  it('refuses a token from a foreign issuer or for another audience', async () => {
    const claims = decodePart(await issuer.accessToken(), 1);
    await expectInvalidToken(service, issuer.sign({ ...claims, iss: 'someone-else' }));
    await expectInvalidToken(service, issuer.sign({ ...claims, aud: 'another-api' }));
  });

  it('refuses a JWT of another type signed with the same key (typ: JWT, or none)', async () => {
    const claims = decodePart(await issuer.accessToken(), 1);
    await expectInvalidToken(service, issuer.sign(claims, { alg, typ: 'JWT', kid: issuer.kid }));
    await expectInvalidToken(service, issuer.sign(claims, { alg, kid: issuer.kid }));
  });

  it('refuses a token signed by another key, under our kid or its own', async () => {
    const claims = decodePart(await issuer.accessToken(), 1);
    const other = keyPair(alg).privateKey;
    await expectInvalidToken(service, issuer.sign(claims, { alg, typ: 'at+jwt', kid: issuer.kid }, other));
    await expectInvalidToken(service, issuer.sign(claims, { alg, typ: 'at+jwt', kid: 'a-key-nobody-published' }, other));
  });

  it('refuses another algorithm: none, and HS256 keyed with the public key', async () => {
    const claims = decodePart(await issuer.accessToken(), 1);
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid: issuer.kid })}.${b64(claims)}.`;
    await expectInvalidToken(service, none);
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: issuer.kid })}.${b64(claims)}`;
    const switched = `${input}.${createHmac('sha256', pem(issuer.keys.publicKey, 'spki')).update(input).digest('base64url')}`;
    await expectInvalidToken(service, switched);
  });

  it('enforces roles: 403 without the role, 200 with it', async () => {
    const res = await request(service.url).get('/orders/admin').set(bearer(await issuer.accessToken(['user']))).expect(403);
    expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Missing role' });
    await request(service.url).get('/orders/admin').set(bearer(await issuer.accessToken(['admin']))).expect(200);
  });
});

describe.each<ResourceServerAlgorithm>(['RS256', 'ES256', 'EdDSA'])('another service following our %s key rotation', (alg) => {
  it('accepts the new key\'s tokens (unknown kid → refetch) and still the old key\'s', async () => {
    const k1 = keyPair(alg);
    const k2 = keyPair(alg);
    let ours = await startOurApp(alg, k1);
    const port = ours.port;
    const service = await startService(ResourceServerModule.forRoot(kitOptions(ours)));
    try {
      const oldToken = await ours.accessToken();
      await request(service.url).get('/orders/mine').set(bearer(oldToken)).expect(200);
      expect(ours.jwksFetches()).toBe(1);

      // The switch: same URL, signing with k2, k1 still published as a previous key.
      await ours.close();
      ours = await startOurApp(alg, k2, { JWT_PREVIOUS_PUBLIC_KEYS: pem(k1.publicKey, 'spki') }, port);
      const newToken = await ours.accessToken();
      expect(decodePart(newToken, 0).kid).not.toBe(decodePart(oldToken, 0).kid);
      await request(service.url).get('/orders/mine').set(bearer(newToken)).expect(200);
      expect(ours.jwksFetches()).toBe(1); // the unknown kid made the service fetch the set again
      await request(service.url).get('/orders/mine').set(bearer(oldToken)).expect(200);
      await request(service.url).get('/orders/mine').set(bearer(newToken)).expect(200);
      expect(ours.jwksFetches()).toBe(1); // both keys now come from the cache
    } finally {
      await service.app.close();
      await ours.close();
    }
  });
});

describe.each<ResourceServerAlgorithm>(['RS256', 'EdDSA'])('another service whose issuer is unreachable (%s)', (alg) => {
  it('answers 503 (an outage), not 401, for a well-formed token', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const service = await startService(ResourceServerModule.forRoot(kitOptions({ alg, jwksUrl: `http://127.0.0.1:${port}${JWKS_PATH}` })));
    try {
      const keys = keyPair(alg);
      const token = signRaw(alg, { alg, typ: 'at+jwt', kid: 'k' }, { sub: randomUUID(), sid: randomUUID(), roles: [], iat: now(), exp: now() + 60, iss: ISSUER, aud: AUDIENCE }, keys.privateKey);
      const res = await request(service.url).get('/orders/mine').set(bearer(token)).expect(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(JSON.stringify(res.body)).not.toContain(String(port));
      // A token refused on its header alone never needs the key set: still a 401.
      await expectInvalidToken(service, signRaw(alg, { alg, typ: 'JWT', kid: 'k' }, {}, keys.privateKey));
    } finally {
      await service.app.close();
    }
  });
});

describe('ResourceServerModule configuration', () => {
  const base = { jwksUrl: 'https://auth.example.com/.well-known/jwks.json', issuer: ISSUER, audience: AUDIENCE };

  it('refuses HS256: a shared secret cannot be verified from a JWKS', async () => {
    const hs256 = { ...base, algorithm: 'HS256' } as unknown as ResourceServerOptions;
    expect(() => ResourceServerModule.forRoot(hs256)).toThrow(ResourceServerOptionsError);
    expect(() => ResourceServerModule.forRoot(hs256)).toThrow(/HS256 cannot be verified from a JWKS/);
    // forRootAsync: the same refusal when the app boots.
    await expect(startService(ResourceServerModule.forRootAsync({ useFactory: () => hs256 }))).rejects.toThrow(/HS256 cannot be verified from a JWKS/);
  });

  it('names every bad option, refuses plain http to another host, and never echoes a value', () => {
    let error: ResourceServerOptionsError | undefined;
    try {
      ResourceServerModule.forRoot({ jwksUrl: 'http://user:hunter2@auth.internal/jwks', issuer: '', audience: AUDIENCE, algorithm: 'RS512' as never, clockToleranceSeconds: -1 });
    } catch (e) {
      error = e as ResourceServerOptionsError;
    }
    expect(error?.problems).toEqual([
      expect.stringContaining('jwksUrl must use https'),
      expect.stringContaining('issuer'),
      expect.stringContaining('algorithm must be one of RS256, ES256, EdDSA'),
      expect.stringContaining('clockToleranceSeconds'),
    ]);
    expect(error?.message).not.toContain('hunter2');
    expect(() => ResourceServerModule.forRoot({ ...base, jwksUrl: 'http://auth.internal/jwks', algorithm: 'RS256', allowInsecureJwksUrl: true })).not.toThrow();
  });
});
