/** The algorithms another service can verify from our JWKS (public keys only). */
export type ResourceServerAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export const RESOURCE_SERVER_ALGORITHMS: readonly ResourceServerAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

/** `ResourceServerModule.forRoot()`: where the issuer publishes its keys, and what its tokens must say. */
export interface ResourceServerOptions {
  /** The issuer's key set, e.g. `https://auth.example.com/.well-known/jwks.json`. */
  jwksUrl: string;
  /** The `iss` every token must carry (the issuer's `JWT_ISSUER`, default `nest-dual-auth`). */
  issuer: string;
  /** The `aud` every token must carry (the issuer's `JWT_AUDIENCE`, default `nest-dual-auth-api`). */
  audience: string;
  /** The one algorithm accepted: the type of the issuer's `JWT_PRIVATE_KEY`. */
  algorithm: ResourceServerAlgorithm;
  /** Leeway for `exp`/`nbf` between the two services' clocks (0–300, default 0). */
  clockToleranceSeconds?: number;
  /**
   * Allow `http:` for a JWKS URL on another host (loopback is always allowed). Off by default:
   * whoever can change the key set in transit can mint tokens this service accepts.
   */
  allowInsecureJwksUrl?: boolean;
}

export interface ResolvedResourceServerOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  algorithm: ResourceServerAlgorithm;
  clockToleranceSeconds: number;
}

export const RESOURCE_SERVER_OPTIONS = Symbol('RESOURCE_SERVER_OPTIONS');

export class ResourceServerOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid ResourceServerModule configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ResourceServerOptionsError';
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks the options once, at boot, and names every bad field (never its value: a URL may carry
 * credentials). Throws `ResourceServerOptionsError`.
 */
export function resolveResourceServerOptions(input: ResourceServerOptions): ResolvedResourceServerOptions {
  const problems: string[] = [];
  // Read as untyped: options often come from a config file or the environment.
  const o = (input ?? {}) as Partial<Omit<ResourceServerOptions, 'algorithm'>> & { algorithm?: string };

  let url: URL | undefined;
  try {
    url = new URL(String(o.jwksUrl));
  } catch {
    problems.push('jwksUrl must be an absolute URL, e.g. https://auth.example.com/.well-known/jwks.json');
  }
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') problems.push('jwksUrl must be an http(s) URL');
  if (url && url.protocol === 'http:' && !LOOPBACK.has(url.hostname) && !o.allowInsecureJwksUrl) {
    problems.push('jwksUrl must use https (or set allowInsecureJwksUrl: true for a trusted network)');
  }

  if (typeof o.issuer !== 'string' || o.issuer.length === 0) problems.push('issuer must be a non-empty string (the issuer\'s JWT_ISSUER)');
  if (typeof o.audience !== 'string' || o.audience.length === 0) problems.push('audience must be a non-empty string (the issuer\'s JWT_AUDIENCE)');

  if (o.algorithm === 'HS256') {
    // HS256 signs with a shared secret: a JWKS cannot publish it, and handing it to every service
    // would let each of them mint tokens.
    problems.push('algorithm HS256 cannot be verified from a JWKS (its key is a shared secret): give the issuer a JWT_PRIVATE_KEY (RSA, P-256 or Ed25519) and use RS256, ES256 or EdDSA');
  } else if (!RESOURCE_SERVER_ALGORITHMS.includes(o.algorithm as ResourceServerAlgorithm)) {
    problems.push(`algorithm must be one of ${RESOURCE_SERVER_ALGORITHMS.join(', ')}`);
  }

  const tolerance = o.clockToleranceSeconds ?? 0;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > 300) {
    problems.push('clockToleranceSeconds must be a number from 0 to 300');
  }

  if (problems.length) throw new ResourceServerOptionsError(problems);
  return {
    jwksUrl: url!.toString(),
    issuer: o.issuer!,
    audience: o.audience!,
    algorithm: o.algorithm as ResourceServerAlgorithm,
    clockToleranceSeconds: tolerance,
  };
}
