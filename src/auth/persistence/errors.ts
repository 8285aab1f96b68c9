import { QueryFailedError } from 'typeorm';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// SQLSTATE: 08xxx connection exceptions, 57P01-03 shutdown / cannot connect now, 53300 too many
// connections, 57014 statement timeout (a bounded query gave up).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|57014)$/;
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Connection is closed|connect ECONNREFUSED|The client is (closed|offline)|Socket closed unexpectedly|Connection timeout|Query read timeout/i;
// node-redis error classes for a Redis that is down or unreachable.
const UNAVAILABLE_NAMES = new Set([
  'DependencyUnavailableError',
  'ConnectionTimeoutError',
  'SocketTimeoutError',
  'ClientClosedError',
  'ClientOfflineError',
  'SocketClosedUnexpectedlyError',
  'ReconnectStrategyError',
]);

/**
 * True when an error means a dependency (PostgreSQL, Redis) is unreachable or overloaded, as
 * opposed to a bug: the client gets 503 + Retry-After instead of 500, and nothing is retried here.
 */
export function isDependencyUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const candidate = e as { code?: unknown; message?: unknown; name?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && (NETWORK_CODES.has(candidate.code) || UNAVAILABLE_SQLSTATE.test(candidate.code))) {
      return true;
    }
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGE.test(candidate.message)) return true;
    if (typeof candidate.name === 'string' && UNAVAILABLE_NAMES.has(candidate.name)) return true;
    e = e instanceof QueryFailedError ? candidate.driverError : candidate.cause;
  }
  return false;
}
