/**
 * Where a CLI command reads a password from — never the command line (npm prints it, and it
 * lands in shell history and the process list):
 * - `--password-stdin`: everything on standard input (one trailing newline removed, nothing else);
 * - the environment variable named by `envName`;
 * - otherwise, on a terminal: a prompt that does not echo, asked twice.
 */
export async function readPassword(options: { fromStdin: boolean; envName: string }): Promise<string> {
  if (options.fromStdin) return stripOneNewline(await readAll(process.stdin));
  const fromEnv = process.env[options.envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new Error(`no password: pipe it with --password-stdin, set ${options.envName}, or run in a terminal to be asked`);
  }
  const first = await prompt('Password: ');
  const second = await prompt('Repeat it: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}

function stripOneNewline(s: string): string {
  return s.replace(/\r?\n$/, '');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line from the terminal with echo off (raw mode): backspace edits, Ctrl-C aborts. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let answer = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') answer = [...answer].slice(0, -1).join('');
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}
