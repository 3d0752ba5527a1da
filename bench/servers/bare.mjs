// The bare minimum an ingest endpoint does, as a yardstick for Waybill's collector: node:http,
// parse the batch, insert its events in one better-sqlite3 transaction (same pragmas as the
// collector: WAL, synchronous NORMAL). No validation, no CORS, no counters. A batch of wire format
// v2 is rebuilt into whole events first (shared under each event's own fields, context and props merged),
// the least any server storing what the SDK sends must do.
// `node servers/bare.mjs <db file>` prints its URL on the first line, stops on SIGTERM.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY NOT NULL, event TEXT NOT NULL)');
const insert = db.prepare('INSERT OR IGNORE INTO events (id, event) VALUES (?, ?)');
const insertAll = db.transaction((events) => {
  let accepted = 0;
  for (const event of events) accepted += insert.run(event.id, JSON.stringify(event)).changes;
  return accepted;
});

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/collect') return void res.writeHead(404).end();
    try {
      const { shared, events: sent } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const events = shared ? sent.map((e) => ({ ...shared, ...e, context: { ...shared.context, ...e.context }, props: { ...shared.props, ...e.props } })) : sent;
      const accepted = insertAll(events);
      const body = JSON.stringify({ accepted, duplicates: events.length - accepted, rejected: [] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    } catch {
      res.writeHead(400).end();
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => (db.close(), process.exit(0))));
