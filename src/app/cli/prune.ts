import { HousekeepingService } from '../../index';
import { runCli } from './run-cli';

/** `npm run prune`: delete expired sessions and token families now. */
void runCli(async (app) => {
  console.log(JSON.stringify(await app.get(HousekeepingService).prune()));
});
