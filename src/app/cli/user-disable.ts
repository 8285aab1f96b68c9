import { AccountStatusService, UsersService, toUserView } from '../../index';
import { parseArgs } from 'node:util';
import { CliError, runCli } from './run-cli';

const USAGE = 'usage: npm run user:disable -- --email E [--enable]';

void runCli(async (app) => {
  let values: { email?: string; enable?: boolean };
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { email: { type: 'string' }, enable: { type: 'boolean' } }, strict: true }));
    if (!values.email) throw new Error('--email is required');
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  const user = await app.get(UsersService).findByEmail(values.email!);
  if (!user) throw new CliError(`no user with email ${values.email!.trim().toLowerCase()}`);
  const status = app.get(AccountStatusService);
  if (values.enable) await status.enable(user);
  else await status.disable(user); // also ends every session and token family at once
  console.log(JSON.stringify({ ...toUserView(user), disabled: !values.enable }, null, 2));
});
