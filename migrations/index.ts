import { CreateUsers1763856000000 } from './1763856000000-CreateUsers';
import { CreateSessions1763856100000 } from './1763856100000-CreateSessions';

/** Every migration, oldest first. Add new ones here (the app and the CLI both read this list). */
export const migrations = [CreateUsers1763856000000, CreateSessions1763856100000];
