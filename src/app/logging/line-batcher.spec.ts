import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import pino from 'pino';
import { LineBatcher, logDestination } from './logging.module';

/** A real asynchronous sonic-boom destination on a temporary file, as rootLogger makes for stdout. */
async function fileDestination() {
  const file = join(mkdtempSync(join(tmpdir(), 'nda-log-')), 'out.log');
  const out = logDestination(file);
  await once(out, 'ready');
  return { out, read: () => readFileSync(file, 'utf8') };
}

const line = (i: number) => `{"level":30,"n":${i},"msg":"${'x'.repeat(100)}"}\n`;

describe('LineBatcher (the JSON log destination)', () => {
  it('hands lines to the file in order, one write per ~64 kB batch', async () => {
    const { out, read } = await fileDestination();
    const writes = jest.spyOn(out, 'write');
    const batcher = new LineBatcher(out);
    const lines = Array.from({ length: 3000 }, (_, i) => line(i)); // ~345 kB
    for (const l of lines) batcher.write(l);
    batcher.flushSync();
    expect(read()).toBe(lines.join(''));
    // 3,000 lines of ~115 characters: 5 full batches and the rest, never a write per line.
    expect(writes.mock.calls.length).toBeLessThanOrEqual(7);
    expect(writes.mock.calls.length).toBeGreaterThanOrEqual(5);
    out.destroy();
  });

  it('keeps non-ASCII lines whole across batch boundaries, and a line longer than a batch', async () => {
    const { out, read } = await fileDestination();
    const batcher = new LineBatcher(out);
    // 3-byte and 4-byte UTF-8 characters, so a batch boundary falls where a byte count matters.
    const lines = Array.from({ length: 900 }, (_, i) => `{"n":${i},"msg":"${'€'.repeat(i % 50)}😀"}\n`);
    const long = `{"msg":"${'ü'.repeat(70_000)}"}\n`; // ~140 kB of UTF-8: more than a batch
    for (const l of lines.slice(0, 450)) batcher.write(l);
    batcher.write(long);
    for (const l of lines.slice(450)) batcher.write(l);
    batcher.flushSync();
    expect(read()).toBe(lines.slice(0, 450).join('') + long + lines.slice(450).join(''));
    out.destroy();
  });

  it('writes a lone line within the flush interval, with no further lines to push it out', async () => {
    const { out, read } = await fileDestination();
    const batcher = new LineBatcher(out);
    batcher.write(line(1));
    expect(read()).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(read()).toBe(line(1));
    out.destroy();
  });

  it("keeps pino's lines and the request lines in the order they were logged", async () => {
    const { out, read } = await fileDestination();
    const batcher = new LineBatcher(out);
    const logger = pino({ base: undefined, timestamp: false }, batcher);
    logger.info('first');
    batcher.write('{"msg":"request line"}\n'); // the request-logging middleware writes here directly
    logger.warn('third');
    await new Promise<void>((resolve, reject) => logger.flush((err) => (err ? reject(err) : resolve())));
    batcher.flushSync();
    expect(read().trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['first', 'request line', 'third']);
    out.destroy();
  });
});
