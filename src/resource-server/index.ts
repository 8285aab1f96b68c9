/**
 * nest-dual-auth/resource-server — for OTHER Nest services that accept our access tokens. They
 * verify them against the issuer's JWKS (RS256, ES256 or EdDSA); nothing here touches a database
 * or the AuthModule. Needs `jwks-rsa`, plus `passport-jwt` (RS256, ES256) or `jose` (EdDSA).
 */

export { ResourceServerModule } from './resource-server.module';
export type { ResourceServerModuleAsyncOptions } from './resource-server.module';
export { RESOURCE_SERVER_ALGORITHMS, RESOURCE_SERVER_OPTIONS, ResourceServerOptionsError, resolveResourceServerOptions } from './resource-server.options';
export type { ResolvedResourceServerOptions, ResourceServerAlgorithm, ResourceServerOptions } from './resource-server.options';

// `AccessTokenPrincipal` is both the parameter decorator and the type of what it returns.
export { AccessTokenPrincipal, RequireAccessToken } from './access-token.decorators';
export type { RequireAccessTokenOptions } from './access-token.decorators';
export { AccessTokenGuard, accessTokenPrincipalOf } from './access-token.guard';
// The verifier itself, e.g. for a WebSocket handshake: it throws one of the two errors.
export { ACCESS_TOKEN_VERIFIER, InvalidAccessTokenError, KeySetUnavailableError } from './access-token';
export type { AccessTokenClaims, AccessTokenVerifier } from './access-token';
