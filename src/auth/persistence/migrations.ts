import { migrations } from '../../../migrations';

/**
 * The module's migrations, oldest first: add them to the host's DataSource (`migrations`), and run
 * them with `runMigrationsLocked(dataSource)` (safe when several instances boot at once) or the
 * TypeORM CLI. Plain SQL that PostgreSQL ≥ 15 (and PGlite) accepts.
 */
export const authMigrations = migrations;
