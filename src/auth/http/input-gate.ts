import { BadRequestException } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** Containers (objects, arrays) nested deeper than this are refused before anything parses them further. */
export const MAX_JSON_DEPTH = 32;

/**
 * Keys that name JavaScript's prototype machinery. JSON.parse makes them plain own properties,
 * but code further on (class-transformer, object spreads, lodash-style merges) may not: refusing
 * them closes prototype-pollution paths for every handler at once.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const INVALID_UTF8 = Symbol('nda.invalidUtf8');
type GatedRequest = IncomingMessage & { [INVALID_UTF8]?: boolean };

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const refuse = (message: string | string[]) => new BadRequestException(message);

/**
 * The first half of the input gate, run by the JSON body parser on the raw bytes (its `verify`
 * hook), before `JSON.parse`: nesting deeper than `MAX_JSON_DEPTH` is refused here, so a 60 kB
 * body of 10,000 nested arrays never reaches a recursive transformer. Bytes that are not UTF-8
 * are only noted: the parser would silently turn them into U+FFFD, so `inputGate` names the field
 * that holds them once the body is parsed.
 */
export function verifyJsonBytes(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) throw refuse(`body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  if (!isUtf8(buf)) (req as GatedRequest)[INVALID_UTF8] = true;
}

/**
 * The second half of the input gate, a middleware right after the JSON body parser: every string
 * and every key of the body is checked, so no handler — ours or a host app's — ever sees
 * - NUL (PostgreSQL text cannot store it: it used to surface as a 500),
 * - an unpaired surrogate (`"\ud800"`) or bytes that were not UTF-8 (they would be stored or
 *   hashed as U+FFFD, so two different passwords or emails could become one),
 * - `__proto__`, `constructor` or `prototype` keys.
 * Each is a 400 naming the field. Nothing has run yet, so nothing stored can change.
 */
export function inputGate(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object') return next();
  const problems = findProblems(body, (req as GatedRequest)[INVALID_UTF8] === true);
  next(problems.length ? refuse(problems) : undefined);
}

/** Every problem in a parsed JSON value, each naming its field (`user.name`, `items[2]`). */
export function findProblems(root: object, hadInvalidUtf8: boolean): string[] {
  const problems: string[] = [];
  // Iterative walk: depth is already bounded, but a stack of our own keeps this independent of it.
  const stack: Array<{ value: unknown; path: string }> = [{ value: root, path: '' }];
  while (stack.length && problems.length < 20) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = stringProblem(value, hadInvalidUtf8);
      if (problem) problems.push(`${path || 'body'} ${problem}`);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]` });
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        const keyPath = path ? `${path}.${key}` : key;
        if (FORBIDDEN_KEYS.has(key)) {
          problems.push(`property ${keyPath} is not allowed`);
          continue;
        }
        const keyProblem = stringProblem(key, hadInvalidUtf8);
        if (keyProblem) {
          problems.push(`a property name in ${path || 'the body'} ${keyProblem}`);
          continue;
        }
        stack.push({ value: (value as Record<string, unknown>)[key], path: keyPath });
      }
    }
  }
  if (hadInvalidUtf8 && problems.length === 0) problems.push('body is not valid UTF-8');
  return problems;
}

function stringProblem(s: string, hadInvalidUtf8: boolean): string | undefined {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode text (it contains an unpaired surrogate)';
  // The parser replaced bytes that were not UTF-8 with U+FFFD; a body that was valid UTF-8 can
  // still carry a real U+FFFD, which is fine.
  if (hadInvalidUtf8 && s.includes('\ufffd')) return 'is not valid UTF-8';
  return undefined;
}
