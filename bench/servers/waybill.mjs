// Waybill's collector in a process of its own (so the load generator does not share its event
// loop): `node servers/waybill.mjs <db file>` prints its URL on the first line, stops on SIGTERM.
import { startCollector } from '../lib/collector.mjs';

const collector = await startCollector({ db: process.argv[2] });
process.stdout.write(`${collector.url}\n`);
process.on('SIGTERM', () => collector.close().finally(() => process.exit(0)));
