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
  let doc: { paths: Record<string, Record<string, { security?: Array<Record<string, string[]>>; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> } };
  beforeAll(async () => {
    t = await startTestApp({}, [DocsCheckModule]);
    doc = (await request(t.http).get('/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  const schemes = (path: string, method = 'get') => (doc.paths[path][method].security ?? []).flatMap((r) => Object.keys(r)).sort();
  const csrfParam = (path: string, method: string) => (doc.paths[path][method].parameters ?? []).some((p) => p.name === 'X-CSRF-Token' && p.in === 'header');

  it('declares the bearer (JWT) and session (cookie) schemes', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'sid' }),
    });
  });

  it('derives each route’s security from its @Auth decorator', () => {
    expect(schemes('/examples/jwt')).toEqual(['bearer']);
    expect(schemes('/examples/jwt-strict')).toEqual(['bearer']);
    expect(schemes('/examples/session')).toEqual(['session']);
    expect(schemes('/examples/any')).toEqual(['bearer', 'session']);
    expect(doc.paths['/examples/any'].get.security).toHaveLength(2); // alternatives, not both at once
    expect(doc.paths['/examples/public'].get.security).toEqual([]);
    expect(doc.paths['/auth/session/login'].post.security).toEqual([]);
    expect(schemes('/auth/sessions')).toEqual(['bearer', 'session']);
  });

  it('follows class/method composition exactly as the guard does', () => {
    expect(schemes('/docs-check/inherited')).toEqual(['bearer']);
    expect(doc.paths['/docs-check/open'].get.security).toEqual([]);
    expect(schemes('/docs-check/both', 'post')).toEqual(['bearer', 'session']);
    expect(doc.paths['/docs-check/both'].post.responses['403']).toBeDefined();
  });

  it('adds the CSRF header to cookie-authenticated unsafe routes only', () => {
    expect(csrfParam('/examples/echo', 'post')).toBe(true);
    expect(csrfParam('/auth/session/logout', 'post')).toBe(true);
    expect(csrfParam('/auth/sessions/{id}', 'delete')).toBe(true);
    expect(csrfParam('/examples/session', 'get')).toBe(false);
    expect(csrfParam('/auth/token/refresh', 'post')).toBe(false);
    expect(csrfParam('/docs-check/both', 'post')).toBe(true);
  });

  it('documents error responses and DTOs', () => {
    const login = doc.paths['/auth/session/login'].post.responses;
    expect(Object.keys(login)).toEqual(expect.arrayContaining(['200', '400', '415', '429', '503']));
    expect(Object.keys(doc.paths['/examples/jwt'].get.responses)).toEqual(expect.arrayContaining(['401', '503']));
    expect(Object.keys(doc.paths['/examples/echo'].post.responses)).toEqual(expect.arrayContaining(['401', '403']));
    expect(doc.components.schemas).toEqual(expect.objectContaining({ RegisterDto: expect.any(Object), TokenPairDto: expect.any(Object), ErrorDto: expect.any(Object), SignInDto: expect.any(Object) }));
  });

  it('serves the UI at /docs', async () => {
    const res = await request(t.http).get('/docs').expect(200);
    expect(res.text).toMatch(/swagger-ui/i);
  });
});
