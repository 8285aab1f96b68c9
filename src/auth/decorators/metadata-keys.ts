/** Metadata keys of `@Auth()` / `@Public()` and `@Roles()`, read by the guard and the OpenAPI document. */
export const AUTH_ROUTE_KEY = 'nda:auth-route';
export const ROLES_KEY = 'nda:roles';
export const SCOPES_KEY = 'nda:scopes';
