// The vendor stand-ins of the forwarding benchmark, in a process of their own: checking and
// keeping every vendor request is work (and memory) the load generator must not share, or the
// ingest it measures with the worker sending is slowed by the vendors' side too. Started by
// forwarding.mjs with an IPC channel: it sends `{ tiktok, ga4 }` (their URLs) once listening, and
// answers `'stats'` with the requests and the malformed ones since the last `'clear'`.
import { startEventsApi, startMeasurementProtocol } from '../../../e2e/stand-ins/vendor-apis.mjs';

const [pixel, token, measurementId, apiSecret] = process.argv.slice(2);
const tiktok = await startEventsApi({ pixel, token });
const ga4 = await startMeasurementProtocol({ measurementId, apiSecret });
const count = (api) => ({ requests: api.requests.length, problems: api.requests.filter((r) => r.problems.length).length });

process.on('message', async (message) => {
  if (message === 'stats') process.send({ tiktok: count(tiktok), ga4: count(ga4) });
  else if (message === 'clear') tiktok.clear(), ga4.clear();
  else if (message === 'close') {
    await Promise.all([tiktok.close(), ga4.close()]);
    process.disconnect();
  }
});
process.send({ tiktok: tiktok.url, ga4: ga4.url });
