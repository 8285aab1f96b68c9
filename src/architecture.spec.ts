import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The package boundary, checked on every run: dependencies point one way.
// - `src/auth/` (what AuthModule owns) never imports the standalone app, nor the entry point;
// - `src/app/` (the standalone backend) reaches the module only through `src/index.ts`, as a host does.

const SRC = __dirname;
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of a file, resolved to paths under src/ (`index` for the entry point). */
function localImports(file: string): string[] {
  const out: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) out.push(relative(SRC, resolve(dirname(file), spec)));
  }
  return out;
}

describe('module boundary', () => {
  it('nothing under src/auth imports src/app or the entry point', () => {
    const offending = filesUnder(join(SRC, 'auth')).flatMap((f) =>
      localImports(f)
        .filter((target) => target.startsWith('app') || target === 'index')
        .map((target) => `${relative(SRC, f)} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('src/app reaches the auth module only through src/index.ts', () => {
    const offending = filesUnder(join(SRC, 'app')).flatMap((f) =>
      localImports(f)
        .filter((target) => target.startsWith('auth'))
        .map((target) => `${relative(SRC, f)} → ${target}`),
    );
    expect(offending).toEqual([]);
  });
});
