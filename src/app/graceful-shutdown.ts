import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Counts requests in flight so shutdown can drain them. Once draining, responses carry
 * `Connection: close` so keep-alive clients reconnect elsewhere, and the server closes only
 * after no request has been in flight for `quietMs` (bounded by `maxMs`). Closing at once
 * instead would reset requests already sent on open keep-alive connections.
 */
export function trackInFlight(app: INestApplication): { drain(options?: { quietMs?: number; maxMs?: number }): Promise<void> } {
  let inFlight = 0;
  let draining = false;
  app.use((_req: Request, res: Response, next: NextFunction) => {
    inFlight++;
    res.once('close', () => inFlight--);
    if (draining) res.setHeader('Connection', 'close');
    next();
  });
  return {
    async drain({ quietMs = 250, maxMs = 10_000 } = {}) {
      draining = true;
      const deadline = Date.now() + maxMs;
      let quietSince = Date.now();
      while (Date.now() < deadline) {
        if (inFlight > 0) quietSince = Date.now();
        else if (Date.now() - quietSince >= quietMs) break;
        await sleep(25);
      }
      const server = app.getHttpServer() as Server;
      const closed = app.close(); // stops listening, runs shutdown hooks (pools, Redis, timers)
      server.closeIdleConnections();
      await closed;
      server.closeAllConnections(); // anything still open after maxMs
    },
  };
}
