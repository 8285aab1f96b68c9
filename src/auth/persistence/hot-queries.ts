import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

/**
 * Runs a hot-path query straight on TypeORM's `pg` pool: none of the query-builder, metadata
 * and query-runner work TypeORM does per call (which made a session lookup cost more than the
 * stock connect-pg-simple's). For the few queries that run on every authenticated request;
 * everything else uses TypeORM. Only repositories call this.
 * Statements are deliberately unnamed: the embedded PGlite is a single backend shared by every
 * pooled connection, so per-connection named prepared statements would collide there.
 */
export class HotQueries {
  private readonly pool: Pool;

  constructor(dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
  }

  async rows<T extends QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
    return (await this.pool.query<T>(text, values)).rows;
  }
}
