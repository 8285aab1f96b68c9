import type { Server } from 'node:http';

/**
 * Node's HTTP server timeouts for running behind a load balancer. The balancer reuses idle
 * keep-alive connections; if the server closes one first (Node's default: after 5 s), a request
 * the balancer just sent on it is lost and the client gets a 502. So keep-alive outlasts common
 * balancer idle timeouts (AWS ALB: 60 s), and the header deadline outlasts keep-alive (the
 * ordering Node and AWS recommend). `requestTimeout` bounds a slow client sending one request.
 */
export interface HttpTimeouts {
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export function applyHttpTimeouts(server: Server, timeouts: HttpTimeouts): void {
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
}
