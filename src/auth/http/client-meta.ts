import type { Request } from 'express';

const MAX_USER_AGENT = 512;

/** The client's IP (per `TRUST_PROXY`) and user agent, as stored with sign-ins and events. */
export function clientMeta(req: Request): { ip: string | null; userAgent: string | null } {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, MAX_USER_AGENT) ?? null };
}
