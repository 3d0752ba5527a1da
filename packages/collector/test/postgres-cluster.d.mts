/** Whether PostgreSQL can run here: the binaries' folder and, under root, the user the server runs as. */
export type FoundPostgres =
  | { available: true; bin: string; user: { uid: number; gid: number } | null }
  | { available: false; reason: string };
/** Finds PostgreSQL's binaries (`$WAYBILL_PG_BIN`, Debian's newest, `$PATH`) and, under root, the `postgres` user. */
export declare function findPostgres(): FoundPostgres;
/** A running throwaway cluster: superuser `waybill`, no password, loopback only. */
export interface PostgresCluster {
  port: number;
  /** `postgres://waybill@127.0.0.1:<port>/postgres` */
  url: string;
  /** Stops the server at once and removes its folder (also done at process exit). */
  stop(): void;
}
/** Starts a cluster in a temporary folder on a free port; `durable: false` (default) turns fsync off. */
export declare function startPostgres(options?: { durable?: boolean; maxConnections?: number; settings?: Record<string, string | number> }): Promise<PostgresCluster>;
/** `PostgreSQL 15.18 (…)`, or null without PostgreSQL. */
export declare function postgresVersion(): string | null;
