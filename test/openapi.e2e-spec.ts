import { Controller, Get, Module, Post } from '@nestjs/common';
import request from 'supertest';
import { Auth, Public, Roles } from '../src/auth/decorators/auth.decorators';
import { startTestApp, TestApp } from './utils/test-app';

@Controller('docs-check')
@Auth('jwt')
class DocsCheckController {
  @Get('inherited') inherited() {}
  @Get('open') @Public() open() {}
  @Post('both') @Auth('session', 'jwt', { strict: true }) @Roles('admin') both() {}
}
@Module({ controllers: [DocsCheckController] })
class DocsCheckModule {}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { security?: Array<Record<string, string[]>>; parameters?: Array<{ name: string; in: string }>; description?: string; responses: Record<string, unknown> }>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> } };
  beforeAll(async () => {
    t = await startTestApp({}, [DocsCheckModule]);
    doc = (await request(t.http).get('/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  const schemes = (path: string, method = 'get') => (doc.paths[path][method].security ?? []).flatMap((r) => Object.keys(r)).sort();
  const csrfParam = (path: string, method: string) => (doc.paths[path][method].parameters ?? []).some((p) => p.name === 'X-CSRF-Token' && p.in === 'header');

  it('declares the bearer (JWT), access-cookie (JWT), session (cookie) and API-key schemes', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      accessCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'access_token' }),
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'sid' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
  });

  it('lists API keys, with their scopes, only on routes that take them', () => {
    expect(doc.paths['/examples/api-key'].get.security).toEqual([{ apiKey: ['examples:read'] }]);
    expect(Object.keys(doc.paths['/examples/api-key'].get.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    expect(schemes('/auth/me')).not.toContain('apiKey');
    expect(doc.paths['/auth/api-keys'].post.description).toMatch(/Fresh sign-in/);
  });

  it('derives each route’s security from its @Auth decorator', () => {
    expect(schemes('/examples/jwt')).toEqual(['accessCookie', 'bearer']);
    expect(schemes('/examples/jwt-strict')).toEqual(['accessCookie', 'bearer']);
    expect(schemes('/examples/session')).toEqual(['session']);
    expect(schemes('/examples/any')).toEqual(['accessCookie', 'bearer', 'session']);
    expect(doc.paths['/examples/any'].get.security).toHaveLength(3); // alternatives, not all at once
    expect(doc.paths['/examples/public'].get.security).toEqual([]);
    expect(doc.paths['/auth/session/login'].post.security).toEqual([]);
    expect(schemes('/auth/sessions')).toEqual(['accessCookie', 'bearer', 'session']);
  });

  it('follows class/method composition exactly as the guard does', () => {
    expect(schemes('/docs-check/inherited')).toEqual(['accessCookie', 'bearer']);
    expect(doc.paths['/docs-check/open'].get.security).toEqual([]);
    expect(schemes('/docs-check/both', 'post')).toEqual(['accessCookie', 'bearer', 'session']);
    expect(doc.paths['/docs-check/both'].post.responses['403']).toBeDefined();
  });

  it('adds the CSRF header to cookie-authenticated unsafe routes only', () => {
    expect(csrfParam('/examples/echo', 'post')).toBe(true);
    expect(csrfParam('/auth/session/logout', 'post')).toBe(true);
    expect(csrfParam('/auth/sessions/{id}', 'delete')).toBe(true);
    expect(csrfParam('/examples/session', 'get')).toBe(false);
    // The cookie transport's refresh (the refresh cookie) needs it too.
    expect(csrfParam('/auth/token/refresh', 'post')).toBe(true);
    expect(csrfParam('/docs-check/both', 'post')).toBe(true);
  });

  it('documents error responses and DTOs', () => {
    const login = doc.paths['/auth/session/login'].post.responses;
    expect(Object.keys(login)).toEqual(expect.arrayContaining(['200', '400', '415', '429', '503']));
    expect(Object.keys(doc.paths['/examples/jwt'].get.responses)).toEqual(expect.arrayContaining(['401', '503']));
    expect(Object.keys(doc.paths['/examples/echo'].post.responses)).toEqual(expect.arrayContaining(['401', '403']));
    expect(doc.components.schemas).toEqual(expect.objectContaining({ RegisterDto: expect.any(Object), TokenPairDto: expect.any(Object), ErrorDto: expect.any(Object), SignInDto: expect.any(Object) }));
  });

  it('gives every operation a summary and a description', () => {
    const missing = Object.entries(doc.paths)
      .filter(([path]) => !path.startsWith('/docs-check/')) // this suite's own fixture controller
      .flatMap(([path, item]) =>
      Object.entries(item as Record<string, { summary?: string; description?: string }>)
        .filter(([, op]) => !op.summary || !op.description)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(missing).toEqual([]);
  });

  it('shows error examples that match their status (a 429 example is a 429)', () => {
    type Examples = Record<string, { value: { statusCode: number; code?: string } }>;
    let checked = 0;
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses as Record<string, { content?: Record<string, { examples?: Examples }> }>)) {
          for (const example of Object.values(response.content?.['application/json']?.examples ?? {})) {
            expect({ status, example: example.value.statusCode }).toEqual({ status, example: Number(status) });
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    const login = doc.paths['/auth/session/login'].post.responses as Record<string, { content: { 'application/json': { examples: Examples } } }>;
    expect(Object.values(login['429'].content['application/json'].examples).map((e) => e.value.code)).toEqual(['rate_limited']);
  });

  it('lists the failures that matter: 401 on login, token and refresh, 429 on password change, 413 wherever a body is taken', () => {
    const statuses = (path: string, method = 'post') => Object.keys(doc.paths[path][method].responses);
    for (const path of ['/auth/session/login', '/auth/token', '/auth/token/refresh']) expect(statuses(path)).toContain('401');
    expect(statuses('/auth/password')).toEqual(expect.arrayContaining(['401', '429', '413']));
    for (const path of ['/auth/register', '/auth/session/login', '/auth/token', '/auth/token/refresh', '/auth/token/revoke', '/examples/echo']) {
      expect(statuses(path)).toEqual(expect.arrayContaining(['400', '413']));
    }
  });

  it('states the request bodies’ real constraints: lengths, patterns, no unknown properties', () => {
    const schemas = doc.components.schemas as Record<string, { additionalProperties?: boolean; properties: Record<string, { minLength?: number; maxLength?: number; pattern?: string }> }>;
    for (const name of ['SessionLoginDto', 'TokenLoginDto']) {
      expect(schemas[name]).toMatchObject({ additionalProperties: false, properties: { email: { minLength: 1, maxLength: 254 }, password: { minLength: 1, maxLength: 512 } } });
    }
    expect(schemas.TokenLoginDto.properties).toHaveProperty('transport');
    expect(schemas.TokenLoginDto.properties).toHaveProperty('rememberMe');
    expect(schemas.RegisterDto).toMatchObject({ additionalProperties: false, properties: { password: { minLength: 8, maxLength: 128 }, displayName: { minLength: 1, maxLength: 100 } } });
    expect(schemas.RegisterDto.properties.email.pattern).toBeDefined();
    expect(schemas.RefreshTokenDto).toMatchObject({ additionalProperties: false, properties: { refreshToken: { minLength: 1 } } });
    expect(schemas.ChangePasswordDto).toMatchObject({ additionalProperties: false });
  });

  it('names the session cookie as configured: __Host-sid when cookies are Secure', async () => {
    const secure = await startTestApp({ COOKIE_SECURE: 'true' });
    try {
      const d = (await request(secure.http).get('/docs-json').expect(200)).body;
      expect(d.components.securitySchemes.session).toMatchObject({ in: 'cookie', name: '__Host-sid' });
    } finally {
      await secure.close();
    }
  });

  it('serves the UI at /docs', async () => {
    const res = await request(t.http).get('/docs').expect(200);
    expect(res.text).toMatch(/swagger-ui/i);
  });
});
