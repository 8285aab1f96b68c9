import { EmailTakenError, InvalidUserInputError, UsersService, toUserView } from '../../index';
import { parseArgs } from 'node:util';
import { CliError, runCli } from './run-cli';

const USAGE = 'usage: npm run user:create -- --email E --password P [--roles admin,user] [--display-name N]';

function parse(argv: string[]) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        roles: { type: 'string' },
        'display-name': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!values.email || values.password === undefined) throw new Error('--email and --password are required');
    return {
      email: values.email,
      password: values.password,
      displayName: values['display-name'],
      roles: values.roles
        ?.split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    };
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
}

void runCli(async (app) => {
  const input = parse(process.argv.slice(2));
  try {
    const user = await app.get(UsersService).create(input);
    console.log(JSON.stringify(toUserView(user), null, 2));
  } catch (err) {
    if (err instanceof InvalidUserInputError) throw new CliError(err.message);
    if (err instanceof EmailTakenError) throw new CliError(`${input.email.trim().toLowerCase()} is already registered`);
    throw err;
  }
});
