import { createSecretKey } from 'node:crypto';
import request from 'supertest';
import { JwtClaims, signJwt } from '../../src/auth/tokens/jwt-codec';
import { TokenPair } from '../../src/auth/tokens/token.service';
import { TEST_SECRETS, TestApp } from './test-app';

export async function issueTokens(t: TestApp, user: { email: string; password: string }): Promise<TokenPair> {
  const res = await request(t.http).post('/auth/token').send({ email: user.email, password: user.password }).expect(200);
  return res.body as TokenPair;
}

export function refresh(t: TestApp, refreshToken: string): request.Test {
  return request(t.http).post('/auth/token/refresh').send({ refreshToken });
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8')) as Record<string, unknown>;
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Builds a token from raw parts (for forging tests). */
export function rawToken(header: unknown, payload: unknown, signature = ''): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/** Signs claims with the test HS256 secret (what the server would accept, claims permitting). */
export function signWithTestSecret(claims: Partial<JwtClaims> & Record<string, unknown>, secret = TEST_SECRETS.JWT_SECRET): string {
  return signJwt(claims as JwtClaims, { alg: 'HS256', key: createSecretKey(Buffer.from(secret)) });
}
