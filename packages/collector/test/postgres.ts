// PostgreSQL for the tests: a real server (test/postgres-cluster.mjs), one per test file, with a
// fresh database per store. Without PostgreSQL on the machine the tests are skipped, loudly;
// under CI they run anyway, and fail.
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { findPostgres, startPostgres, type PostgresCluster } from './postgres-cluster.mjs';

const found = findPostgres();

/** Whether the PostgreSQL tests run: wherever PostgreSQL can, and always under CI, where not being able to is a failure. */
export const withPostgres = found.available || process.env.CI === 'true';

if (!withPostgres) {
  console.warn(`\n*** PostgreSQL tests SKIPPED on this machine: ${found.available ? '' : found.reason} (under CI=true they fail instead) ***\n`);
}

/** The server of this test file: started before its tests, stopped after. */
export function usePostgres() {
  let cluster: PostgresCluster | undefined;
  let admin: postgres.Sql | undefined;
  let databases = 0;
  beforeAll(async () => {
    cluster = await startPostgres();
    admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  }, 60_000);
  afterAll(async () => {
    await admin?.end({ timeout: 1 });
    cluster?.stop();
  });
  return {
    /** The cluster's own `postgres` database. */
    get url(): string {
      if (!cluster) throw new Error('PostgreSQL is not started (usePostgres() must run before the tests)');
      return cluster.url;
    },
    /** A new, empty database: its URL. */
    async database(): Promise<string> {
      const name = `waybill_test_${++databases}`;
      // FILE_COPY: a copy of the tiny template, much quicker here than the WAL-logged default.
      await admin!.unsafe(`CREATE DATABASE ${name} STRATEGY = FILE_COPY`);
      return this.url.replace(/\/postgres$/, `/${name}`);
    },
  };
}
