import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { NextFunction, Request, Response } from 'express';

// The OpenAPI document is the contract, checked on every response of every e2e request: a
// response whose status is not documented for its operation, or whose JSON body does not match
// the documented schema, fails the test that caused it (see contract-setup.ts). So a new
// endpoint or a new status cannot ship undocumented.

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: object;
}

export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Violations seen since the current test started (taken by contract-setup.ts after each test). */
const violations: string[] = [];

export function takeViolations(): string[] {
  return violations.splice(0);
}

export class OpenApiContract {
  private readonly operations: Array<{ method: string; pattern: RegExp; template: string; op: Operation }> = [];
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: document.components ?? {} });
    for (const [template, item] of Object.entries(document.paths)) {
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, op] of Object.entries(item)) this.operations.push({ method: method.toUpperCase(), pattern, template, op });
    }
  }

  /** What is wrong with one response, or nothing (responses to undocumented paths are not checked). */
  check(r: RecordedResponse): string[] {
    const found = this.operations.find((o) => o.method === r.method && o.pattern.test(r.path));
    if (!found) return [];
    const where = `${r.method} ${found.template}`;
    const documented = found.op.responses[String(r.status)];
    if (!documented) return [`${where} answered ${r.status}, which its OpenAPI operation does not document (${Object.keys(found.op.responses).join(', ')}): ${r.body.slice(0, 200)}`];
    const schema = documented.content?.['application/json']?.schema;
    if (!schema || !r.body) return [];
    if (!r.contentType?.includes('application/json')) return [`${where} ${r.status}: documented as JSON, answered ${r.contentType ?? 'no content type'}`];
    const key = `${where} ${r.status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')) as object);
      this.validators.set(key, validate);
    }
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      return [`${key}: the body is not JSON`];
    }
    if (validate(body)) return [];
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`).join('; ');
    return [`${key}: the body does not match the documented schema (${problems}): ${r.body.slice(0, 300)}`];
  }
}

/**
 * Express middleware, first in the chain: records each response (status, content type, body) and
 * checks it once the contract is known. Responses refused by earlier middleware (the body parser,
 * the input gate) are recorded too.
 */
export function contractRecorder(contract: () => OpenApiContract | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as Response['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as Response['end'];
    res.once('finish', () => {
      const c = contract();
      if (!c || req.method === 'HEAD' || req.method === 'OPTIONS') return;
      violations.push(
        ...c.check({
          method: req.method,
          path: (req.originalUrl ?? req.url).split('?')[0],
          status: res.statusCode,
          contentType: res.getHeader('content-type')?.toString(),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    next();
  };
}
