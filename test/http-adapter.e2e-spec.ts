import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, INestApplication, Module, NestApplicationOptions, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import { FastExpressAdapter } from '../src/auth/http/fast-express-adapter';
import { ROOT } from './utils/process';

/** What test/fixtures/request-maps.js prints. */
interface MapsProbe {
  answers: { status: number; body: string }[];
  reqSameMap: boolean;
  resSameMap: boolean;
  reqFastProperties: boolean;
  resFastProperties: boolean;
  reqPrototypeIsExpress: boolean;
  resPrototypeIsExpress: boolean;
  reqIsIncomingMessage: boolean;
  resIsServerResponse: boolean;
}

function probeMaps(adapter: 'fast' | 'default'): MapsProbe {
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', join(ROOT, 'test', 'fixtures', 'request-maps.js'), adapter], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`request-maps.js ${adapter} exited ${run.status}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as MapsProbe;
}

/**
 * Express 5 re-prototypes every request and response (`Object.setPrototypeOf`), which in V8 gives
 * each of them a hidden class of its own: every property added afterwards builds a new one and
 * every read misses the inline caches (BENCHMARKS.md, 2026-12-07). FastExpressAdapter has Node
 * create them with Express's prototypes, so requests share their hidden classes.
 */
describe('FastExpressAdapter', () => {
  it('requests and responses share hidden classes (V8 maps); with the stock ExpressAdapter they do not', () => {
    const fast = probeMaps('fast');
    const stock = probeMaps('default');
    for (const probe of [fast, stock]) {
      expect(probe.answers).toEqual([1, 2, 3].map((n) => ({ status: 200, body: JSON.stringify({ n }) })));
      expect(probe).toMatchObject({ reqPrototypeIsExpress: true, resPrototypeIsExpress: true, reqIsIncomingMessage: true, resIsServerResponse: true });
    }
    // Shared, and of objects with fast properties: until 2026-12-07 they were shared dictionary-mode
    // maps, which a GC between two requests could split (this test failed once in CI so).
    expect({ req: fast.reqSameMap, res: fast.resSameMap, reqFast: fast.reqFastProperties, resFast: fast.resFastProperties }).toEqual({ req: true, res: true, reqFast: true, resFast: true });
    // The reason the adapter exists. Should an Express or Node release make this true, the adapter
    // has become unnecessary: check BENCHMARKS.md's figures again and consider dropping it.
    expect({ req: stock.reqSameMap, res: stock.resSameMap }).toEqual({ req: false, res: false });
  });

  @Controller('adapter')
  class AdapterProbeController {
    @Get('whoami') whoami(@Req() req: Request) {
      return { encrypted: 'encrypted' in req.socket && req.socket.encrypted === true, path: req.originalUrl };
    }
    /** Never answers: an in-flight request that app.close() has to end. */
    @Get('hang') hang() {
      return new Promise(() => undefined);
    }
  }
  @Module({ controllers: [AdapterProbeController] })
  class AdapterProbeModule {}

  async function start(options: NestApplicationOptions): Promise<{ app: INestApplication; port: number }> {
    const app = await NestFactory.create(AdapterProbeModule, new FastExpressAdapter(), { logger: false, ...options });
    await app.listen(0, '127.0.0.1');
    return { app, port: (app.getHttpServer().address() as AddressInfo).port };
  }

  it('serves HTTPS with the httpsOptions given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nda-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const { app, port } = await start({ httpsOptions: { key: readFileSync(join(dir, 'key.pem')), cert } });
    try {
      const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, path: '/adapter/whoami', ca: cert, servername: 'localhost', agent: false }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode, body }));
          })
          .on('error', reject);
      });
      expect(answer).toEqual({ status: 200, body: JSON.stringify({ encrypted: true, path: '/adapter/whoami' }) });
    } finally {
      await app.close();
    }
  });

  it('forceCloseConnections: app.close() ends a request still in flight instead of waiting for it', async () => {
    const { app, port } = await start({ forceCloseConnections: true });
    const inFlight = new Promise<string>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/adapter/hang', agent: false }, () => resolve('answered'))
        .on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    await new Promise((r) => setTimeout(r, 200)); // the request has reached the handler
    const closing = app.close().then(() => 'closed');
    const outcome = await Promise.race([closing, new Promise((r) => setTimeout(r, 2_000, 'still waiting after 2 s'))]);
    if (outcome !== 'closed') app.getHttpServer().closeAllConnections(); // let the failing test end
    expect(outcome).toBe('closed');
    expect(await inFlight).toBe('ECONNRESET');
  });
});
