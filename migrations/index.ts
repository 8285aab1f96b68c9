import { CreateUsers1763856000000 } from './1763856000000-CreateUsers';
import { CreateSessions1763856100000 } from './1763856100000-CreateSessions';
import { CreateRefreshTokens1763856200000 } from './1763856200000-CreateRefreshTokens';
import { AddUserDisabledAt1763856300000 } from './1763856300000-AddUserDisabledAt';
import { AddRefreshTokenAnsweredAt1795900000000 } from './1795900000000-AddRefreshTokenAnsweredAt';
import { PrefixAuthTables1795900100000 } from './1795900100000-PrefixAuthTables';
import { AddRefreshFamilyPersistent1795900200000 } from './1795900200000-AddRefreshFamilyPersistent';
import { AccountLifecycle1795900300000 } from './1795900300000-AccountLifecycle';
import { ApiKeys1795900400000 } from './1795900400000-ApiKeys';

/** Every migration, oldest first. Add new ones here (the app and the CLI both read this list). */
export const migrations = [
  CreateUsers1763856000000,
  CreateSessions1763856100000,
  CreateRefreshTokens1763856200000,
  AddUserDisabledAt1763856300000,
  AddRefreshTokenAnsweredAt1795900000000,
  PrefixAuthTables1795900100000,
  AddRefreshFamilyPersistent1795900200000,
  AccountLifecycle1795900300000,
  ApiKeys1795900400000,
];
