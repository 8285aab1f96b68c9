import { EmailTakenError, InvalidUserInputError, UsersService, toUserView } from '../../index';
import { parseArgs } from 'node:util';
import { readPassword } from './read-password';
import { CliError, runCli } from './run-cli';

const USAGE =
  'usage: npm run user:create -- --email E [--password-stdin] [--roles admin,user] [--display-name N]\n' +
  '  the password: piped with --password-stdin, or in NEW_USER_PASSWORD, or asked for (no echo) in a terminal';

function parse(argv: string[]) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        roles: { type: 'string' },
        'display-name': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.password !== undefined) {
      throw new Error('--password is not accepted: a password on the command line is printed by npm and kept in shell history and the process list');
    }
    if (!values.email) throw new Error('--email is required');
    return {
      email: values.email,
      passwordFromStdin: values['password-stdin'] === true,
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
  const { passwordFromStdin, ...input } = parse(process.argv.slice(2));
  let password: string;
  try {
    password = await readPassword({ fromStdin: passwordFromStdin, envName: 'NEW_USER_PASSWORD' });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  try {
    // An operator vouches for the address: users made here are verified.
    const user = await app.get(UsersService).create({ ...input, password, emailVerified: true });
    console.log(JSON.stringify(toUserView(user), null, 2));
  } catch (err) {
    if (err instanceof InvalidUserInputError) throw new CliError(err.message);
    if (err instanceof EmailTakenError) throw new CliError(`${input.email.trim().toLowerCase()} is already registered`);
    throw err;
  }
});
