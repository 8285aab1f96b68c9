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
  const [first, second] = await askWithoutEcho(['Password: ', 'Repeat it: ']);
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

/**
 * One line per question from the terminal, with echo off (raw mode) from the first question to the
 * last answer — so type-ahead between the two prompts is never echoed either, and keys typed
 * before a prompt appears go to that prompt. Backspace edits; Ctrl-C aborts.
 */
function askWithoutEcho(questions: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    const answers: string[] = [];
    let answer = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      if (err) {
        process.stderr.write('\n');
        reject(err);
      } else resolve(answers);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\u0003') return finish(new Error('cancelled'));
        if (ch === '\r' || ch === '\n') {
          answers.push(answer);
          answer = '';
          process.stderr.write('\n');
          if (answers.length === questions.length) return finish();
          process.stderr.write(questions[answers.length]);
        } else if (ch === '\u007f' || ch === '\b') answer = [...answer].slice(0, -1).join('');
        else answer += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    process.stderr.write(questions[0]);
    stdin.on('data', onData);
    stdin.resume();
  });
}
