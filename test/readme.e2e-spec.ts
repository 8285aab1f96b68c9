import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, ROOT, spawnNode, Spawned, waitForHttp } from './utils/process';

// The README's curl walk-through, executed exactly as written against the built server started
// the way a user starts it (embedded database, fresh data folder).
describe('README walk-through', () => {
  let server: Spawned;
  let base: string;
  let dataDir: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'nda-readme-'));
    server = spawnNode('dist/src/app/main.js', [], { DATA_DIR: dataDir, PORT: String(port) });
    await waitForHttp(`${base}/health`, server);
  }, 90_000);
  afterAll(() => {
    server.child.kill('SIGTERM');
  });

  it('runs every command as written', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- walkthrough:start -->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', block!], {
      cwd: mkdtempSync(join(tmpdir(), 'nda-walk-')),
      env: { ...process.env, BASE: base, OUTBOX: join(dataDir, 'outbox') },
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/"email":"ada@example.com"/);
    expect(stdout).toContain('{"strategy":"session"}');
    expect(stdout).toContain('{"strategy":"session","body":{"hello":"world"}}');
    expect(stdout).toContain('"current":true');
    expect(stdout).toContain('{"strategy":"jwt"}');
    expect(stdout).toMatch(/"auth":\{"strategy":"jwt","signInId":"[0-9a-f-]{36}"\}/);
    expect(lines.filter((l) => /^\d{3}$/.test(l))).toEqual(['204', '401', '204', '401', '204', '401', '204', '204']);
    expect(lines.filter((l) => l === '{"strategy":"jwt"}')).toHaveLength(3); // Bearer, after revoke (until exp), cookie
    expect(lines).toContain('Cookie');
    expect(lines).toContain('{}'); // forgot-password
    expect(lines.at(-1)).toBe('Bearer'); // signed in with the new password
  }, 60_000);
});
