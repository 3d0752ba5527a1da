import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector } from '@waybill/collector';
import { asUser, run, useCli } from './cli-helpers';
import { batch, makeEvent, post, startCollector, tempDir, stored } from './helpers';

useCli();

// Each test starts a Node process or several: on a busy machine that takes more than the default 5 s.
describe('waybill-collector', { timeout: 30_000 }, () => {
  it('--help prints the usage and exits 0', async () => {
    const { out, exit } = run(['--help']);
    expect(await exit).toBe(0);
    expect(out.stdout).toMatch(/^usage: waybill-collector/);
    for (const flag of ['--port', '--host', '--db', '--allow-origin', '--static']) expect(out.stdout).toContain(flag);
  });

  it.each([['--nope'], ['--port'], ['--port', 'abc'], ['--port', '70000'], ['stray'], ['--retention-days', '0'], ['--db-pool', 'many']])(
    'prints the usage on stderr and exits 2 for %j',
    async (...args) => {
      const { out, exit } = run(args);
      expect(await exit).toBe(2);
      expect(out.stderr).toContain('usage: waybill-collector');
      expect(out.stdout).toBe('');
    },
  );

  it('serves with its flags, prints where it listens and that forwarding is off, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const db = join(dir, 'data', 'waybill.db');
    mkdirSync(join(dir, 'site'));
    writeFileSync(join(dir, 'site', 'index.html'), '<h1>storefront</h1>');
    const cli = run([
      '--port', '0', '--db', db, '--static', join(dir, 'site'),
      '--allow-origin', 'https://a.example,https://b.example', '--allow-origin', 'https://c.example',
    ]);
    const url = await cli.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('http://127.0.0.1:0');

    const event = makeEvent();
    const fromB = await post(url, batch([event]), { Origin: 'https://b.example' });
    expect(await fromB.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(fromB.headers.get('access-control-allow-origin')).toBe('https://b.example');
    expect((await post(url, batch([makeEvent()]), { Origin: 'https://c.example' })).status).toBe(200);
    expect((await post(url, batch([makeEvent()]), { Origin: 'https://d.example' })).status).toBe(403);
    expect(await (await fetch(`${url}/`)).text()).toContain('storefront');

    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    expect(cli.out.stdout).toBe(`waybill collector listening on ${url}\nserver-side forwarding off: no TikTok or GA4 credentials (waybill-collector --help lists them)\n`);
    // the refused origin is said once, even without --verbose, with the flag that allows it
    expect(cli.out.stderr).toBe(
      'refused events from origin https://d.example: add --allow-origin https://d.example (allowedOrigins in code) to accept them\n',
    );

    const reopened = createCollector({ db });
    onTestFinished(() => reopened.close());
    expect(await stored(reopened)).toHaveLength(2);
  });

  it('stops cleanly on SIGINT', async () => {
    const cli = run(['--port', '0', '--db', ':memory:']);
    await cli.listening;
    cli.child.kill('SIGINT');
    expect(await cli.exit).toBe(0);
  });

  /** The command's exit code, or 'listening' if it started instead of failing. */
  const outcome = ({ exit, listening }: ReturnType<typeof run>) =>
    Promise.race([exit, listening.then(() => 'listening', () => exit)]);

  it.each([['localhost:5173'], ['https://shop.example,shop.example']])(
    'exits 2 naming an --allow-origin that is not an origin: %s',
    async (list) => {
      const cli = run(['--port', '0', '--db', ':memory:', '--allow-origin', list]);
      expect(await outcome(cli)).toBe(2);
      expect(cli.out.stderr).toMatch(/^waybill-collector: allowed origin "[^"]+" is not scheme:\/\/host\[:port\]/);
      expect(cli.out.stdout).toBe('');
    },
  );

  it('exits 2 for a DATABASE_URL that is not PostgreSQL, without showing its password; --db wins over it', async () => {
    const cli = run(['--port', '0'], {}, { DATABASE_URL: 'mysql://shop:secret@db.internal/shop' });
    expect(await outcome(cli)).toBe(2);
    expect(cli.out.stderr).toBe('waybill-collector: db must be a SQLite file or a postgres:// URL, not "mysql://shop:***@db.internal/shop"\n');
    const flagged = run(['--port', '0', '--db', ':memory:'], {}, { DATABASE_URL: 'mysql://shop:secret@db.internal/shop' });
    expect(await outcome(flagged)).toBe('listening');
  });

  it('exits 2 for --db-pool with a SQLite file', async () => {
    const cli = run(['--port', '0', '--db', ':memory:', '--db-pool', '4']);
    expect(await outcome(cli)).toBe(2);
    expect(cli.out.stderr).toBe('waybill-collector: dbPool is for a PostgreSQL db (postgres://...) only\n');
  });

  it('exits 2 when the --static folder does not exist', async () => {
    const missing = join(tempDir(), 'public');
    const cli = run(['--port', '0', '--db', ':memory:', '--static', missing]);
    expect(await outcome(cli)).toBe(2);
    expect(cli.out.stderr).toBe(`waybill-collector: static folder ${JSON.stringify(missing)} does not exist or is not a folder\n`);
  });

  it.each([
    [['--tiktok-event', 'purchase'], '--tiktok-event takes name=VendorName (or name= to send none), not "purchase"'],
    [['--forward-max-attempts', 'many'], '--forward-max-attempts must be a whole number of at least 1, not "many"'],
    [['--tiktok-pixel', 'C1', '--tiktok-access-token', 'token-on-the-command-line', '--tiktok-api-url', 'business-api.tiktok.com'], 'TikTok API URL "business-api.tiktok.com" is not an http(s) URL'],
  ])('exits 2 naming a bad forwarding value: %j', async (args, message) => {
    const cli = run(['--port', '0', '--db', ':memory:', ...args]);
    expect(await outcome(cli)).toBe(2);
    expect(cli.out.stderr).toContain(`waybill-collector: ${message}\n`);
  });

  it('exits 1 with a message when the database cannot be written', async () => {
    const dir = tempDir();
    const db = join(dir, 'events.db');
    await createCollector({ db }).close();
    chmodSync(db, 0o444);
    chmodSync(dir, 0o777); // the folder stays writable, as it often is: only the file is read-only
    const cli = run(['--port', '0', '--db', db], asUser);
    expect(await outcome(cli)).toBe(1);
    expect(cli.out.stderr).toBe(`waybill-collector: cannot use the database ${db}: attempt to write a readonly database\n`);
  });

  it.skipIf(process.platform !== 'linux')('exits 1 with a message when the database folder cannot be created', async () => {
    // Node's recursive mkdir loops forever here: /proc refuses new folders with ENOENT
    const cli = run(['--port', '0', '--db', '/proc/waybill-test/events.db']);
    expect(await outcome(cli)).toBe(1);
    expect(cli.out.stderr).toMatch(/^waybill-collector: cannot use the database \/proc\/waybill-test\/events\.db: ENOENT/);
  });

  it('logs 5xx answers and their errors on stderr without --verbose, and nothing else', async () => {
    const db = join(tempDir(), 'events.db');
    const cli = run(['--port', '0', '--db', db]);
    const url = await cli.listening;
    expect((await post(url, batch([makeEvent()]))).status).toBe(200);
    const other = new Database(db);
    onTestFinished(() => void other.close());
    other.exec('BEGIN IMMEDIATE'); // holds the write lock
    expect((await post(url, batch([makeEvent()]))).status).toBe(500);
    other.exec('ROLLBACK');
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    expect(cli.out.stderr).toMatch(/^error POST \/collect: SqliteError: database is locked\n/);
    expect(cli.out.stderr).toContain('\nPOST /collect 500\n');
    expect(cli.out.stderr).not.toContain('200');
  });

  it('exits 1 with a message when the port is taken', async () => {
    const { url } = await startCollector();
    const cli = run(['--port', new URL(url).port, '--db', ':memory:']);
    expect(await cli.exit).toBe(1);
    expect(cli.out.stderr).toMatch(/EADDRINUSE/);
  });
});
