import { ApiKeysService, UsersService } from '../../index';
import { parseArgs } from 'node:util';
import { CliError, runCli } from './run-cli';

const USAGE =
  'usage: npm run api-key:create -- --email E --name N --scopes a,b [--expires-in 90d]\n' +
  '  prints the key (once) on standard output, and what was made of it on standard error';

function parse(argv: string[]) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { email: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' }, 'expires-in': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (!values.email) throw new Error('--email is required');
    if (!values.name?.trim()) throw new Error('--name is required');
    if (values.scopes === undefined) throw new Error('--scopes is required (a comma-separated list; "" for none)');
    return {
      email: values.email,
      name: values.name.trim(),
      scopes: values.scopes
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      expiresIn: values['expires-in'],
    };
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
}

void runCli(async (app) => {
  const input = parse(process.argv.slice(2));
  const user = await app.get(UsersService).findByEmail(input.email);
  if (!user) throw new CliError(`no user with the email ${input.email.trim().toLowerCase()}`);
  if (user.disabledAt) throw new CliError(`${user.email} is disabled`);
  let created;
  try {
    created = await app.get(ApiKeysService).create(user.id, { name: input.name, scopes: input.scopes, expiresIn: input.expiresIn });
  } catch (err) {
    const message = (err as { response?: { message?: string } }).response?.message;
    if (message) throw new CliError(message);
    throw err;
  }
  const { key, ...view } = created;
  // The key alone on stdout, so `KEY=$(npm run -s api-key:create -- …)` captures it and nothing else.
  console.error(JSON.stringify({ ...view, user: user.email }, null, 2));
  console.log(key);
});
