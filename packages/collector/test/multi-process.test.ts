// Several `waybill-collector` processes on one PostgreSQL database, as behind a load balancer.
import { describe, expect, it } from 'vitest';
import { run, useCli } from './cli-helpers';
import { batch, makeEvent, post } from './helpers';
import { usePostgres, withPostgres } from './postgres';

describe.skipIf(!withPostgres)('three collector processes on one PostgreSQL database', { timeout: 60_000 }, () => {
  useCli();
  const pg = usePostgres();

  /** Starts `n` collectors on `db` at once (they migrate the empty database together): their URLs, and a function that stops them. */
  async function collectors(db: string, n: number) {
    // One from DATABASE_URL, the others from --db: both ways are the same database.
    const clis = Array.from({ length: n }, (_, i) =>
      i === 0 ? run(['--port', '0', '--db-pool', '3'], {}, { DATABASE_URL: db }) : run(['--port', '0', '--db', db, '--db-pool', '3']),
    );
    const urls = await Promise.all(clis.map((cli) => cli.listening));
    const stop = async () => {
      for (const cli of clis) cli.child.kill('SIGTERM');
      return Promise.all(clis.map((cli) => cli.exit));
    };
    return { urls, clis, stop };
  }
  const health = async (url: string) => (await (await fetch(`${url}/health`)).json()) as { events: number };

  it('exit 1 naming the database, without its password, when it cannot be reached', async () => {
    const cli = run(['--port', '0', '--db', 'postgres://waybill:s3cret@127.0.0.1:9/shop']); // port 9: nothing there
    expect(await cli.exit).toBe(1);
    expect(cli.out.stderr).toMatch(/^waybill-collector: cannot use the database postgres:\/\/waybill:\*\*\*@127\.0\.0\.1:9\/shop: .*ECONNREFUSED/);
    expect(cli.out.stderr).not.toContain('s3cret');
  });

  it('store a batch posted to two of them at the same moment once; each counts and lists every event', async () => {
    const { urls, clis, stop } = await collectors(await pg.database(), 3);
    const [a, b, c] = urls as [string, string, string];
    const ids: string[] = [];
    for (let round = 0; round < 5; round++) {
      const events = Array.from({ length: 100 }, () => makeEvent());
      ids.push(...events.map((e) => e.id as string));
      const body = batch(events);
      const answers = await Promise.all([post(a, body), post(b, body)].map(async (res) => (await res).json()));
      expect(answers.reduce((sum, r) => sum + r.accepted, 0)).toBe(100);
      expect(answers.reduce((sum, r) => sum + r.duplicates, 0)).toBe(100);
      expect(await (await post(c, body)).json()).toEqual({ accepted: 0, duplicates: 100, rejected: [] });
    }
    for (const url of urls) expect((await health(url)).events).toBe(500);
    const listed: string[] = [];
    for (let next: string | null = ''; next !== null; ) {
      const page = (await (await fetch(`${c}/events?limit=120${next ? `&before=${next}` : ''}`)).json()) as { events: { id: string }[]; next: string | null };
      listed.push(...page.events.map((e) => e.id));
      next = page.next;
    }
    expect(listed.sort()).toEqual([...ids].sort());
    expect(await stop()).toEqual([0, 0, 0]);
    for (const cli of clis) expect(cli.out.stderr).toBe('');
  });
});
