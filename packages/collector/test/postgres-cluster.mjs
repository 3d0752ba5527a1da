// A real PostgreSQL server for the tests and the bench: a throwaway cluster in a temporary folder,
// on a free loopback port, stopped (and its folder removed) after. Debian's `postgresql` package
// provides the binaries (.ci/run installs it). PostgreSQL refuses to run as root, so under root
// (CI) the server runs as the `postgres` system user; nothing it runs needs this repository's
// path, which may sit in a folder other users cannot enter.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEBIAN_VERSIONS = '/usr/lib/postgresql';

/** The folder of `initdb`, `pg_ctl` and `postgres`: `$WAYBILL_PG_BIN`, Debian's newest, or `$PATH`'s; `null` if none. */
function binFolder() {
  const has = (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  if (process.env.WAYBILL_PG_BIN) return has(process.env.WAYBILL_PG_BIN) ? process.env.WAYBILL_PG_BIN : null;
  if (existsSync(DEBIAN_VERSIONS)) {
    const versions = readdirSync(DEBIAN_VERSIONS).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(join(DEBIAN_VERSIONS, v, 'bin'))) return join(DEBIAN_VERSIONS, v, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && has(dir)) return dir;
  return null;
}

/** The uid and gid of a user, from /etc/passwd; `null` if there is no such user. */
function account(name) {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Whether PostgreSQL can run here, and if not, why (said to the developer: see `findPostgres`). */
export function findPostgres() {
  const bin = binFolder();
  if (!bin) return { available: false, reason: 'no PostgreSQL binaries (initdb, pg_ctl): apt-get install -y postgresql' };
  if (process.getuid?.() !== 0) return { available: true, bin, user: null };
  const user = account('postgres');
  if (!user) return { available: false, reason: 'running as root and there is no postgres user to run the server as (apt-get install -y postgresql makes it)' };
  return { available: true, bin, user };
}

/** A free TCP port on 127.0.0.1 (free now: another process may take it before PostgreSQL does, hence the retries below). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Clusters started by this process, stopped at exit even if a test run ends without `stop()`. */
const running = new Set();
let exitHook = false;

/**
 * Starts a PostgreSQL cluster with a superuser `waybill` (no password, loopback only) and resolves
 * `{ url, port, stop }`: `url` is `postgres://waybill@127.0.0.1:<port>/postgres`.
 * `durable: false` (the default, for tests) turns fsync off; the bench keeps it on. `settings`: more
 * server settings, such as `{ shared_buffers: '512MB' }`.
 */
export async function startPostgres({ durable = false, maxConnections = 200, settings = {} } = {}) {
  const found = findPostgres();
  if (!found.available) throw new Error(`cannot start PostgreSQL: ${found.reason}`);
  const { bin, user } = found;
  const dir = mkdtempSync(join(tmpdir(), 'waybill-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  // As the server's user, from its own folder (never the repository's, which it may not enter).
  const run = (command, args) =>
    spawnSync(join(bin, command), args, {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' },
      ...(user && { uid: user.uid, gid: user.gid }),
    });
  const stopCluster = () => {
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => running.forEach((stop) => stop()));
  }
  try {
    const init = run('initdb', ['-D', data, '-A', 'trust', '-U', 'waybill', '-E', 'UTF8', '--locale=C', '--no-sync']);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);
    const flags = [
      '-c listen_addresses=127.0.0.1',
      `-k ${dir}`,
      `-c max_connections=${maxConnections}`,
      ...(durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
      ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
    ];
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const start = run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} ${flags.join(' ')}`, 'start']);
      if (start.status === 0) {
        running.add(stopCluster);
        let stopped = false;
        return {
          port,
          url: `postgres://waybill@127.0.0.1:${port}/postgres`,
          stop() {
            if (stopped) return;
            stopped = true;
            running.delete(stopCluster);
            stopCluster();
          },
        };
      }
      const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
      // Only a port taken meanwhile is worth another try.
      if (attempt >= 5 || !/could not bind|Address already in use/.test(log)) throw new Error(`pg_ctl start failed: ${start.stderr}\n${log}`);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The version of the server binaries, such as `PostgreSQL 15.18`, for the bench's report. */
export function postgresVersion() {
  const found = findPostgres();
  if (!found.available) return null;
  return execFileSync(join(found.bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim().replace(/^postgres \(PostgreSQL\) /, 'PostgreSQL ');
}
