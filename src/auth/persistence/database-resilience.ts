import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { DependencyGuard } from './dependency-guard';
import { guardPool, isDeadlineClient, probePool } from './resilient-postgres';

/**
 * Installs the database guard on the host's pool when its connections come from
 * `authPostgresExtra()`: a query past its deadline, or a failed checkout, then makes calls fail
 * fast until a probe answers. Without those settings the pool is left exactly as the host made it.
 */
@Injectable()
export class DatabaseResilience implements OnModuleInit, OnApplicationShutdown {
  private guard?: DependencyGuard;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    const client = (pool as unknown as { Client?: unknown } | undefined)?.Client;
    if (!pool || !isDeadlineClient(client)) {
      new Logger('AuthModule').warn('The DataSource has no deadlines (authPostgresExtra() in its extra): a hung PostgreSQL would hold requests');
      return;
    }
    if (client.guard) return; // already installed (the same DataSource shared by two modules)
    this.guard = new DependencyGuard('database', probePool(pool));
    client.guard = this.guard;
    guardPool(pool, this.guard);
  }

  onApplicationShutdown(): void {
    this.guard?.close();
  }
}
