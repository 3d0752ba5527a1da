// A shop that only calls collector.fetch (a Next.js route handler, say) keeps its process as it was.
import { expect, it, onTestFinished } from 'vitest';
import { createCollector } from '@waybill/collector';
import { batch, makeEvent } from './helpers';

it("collector.fetch alone leaves the process's Request and Response alone", async () => {
  const [OwnRequest, OwnResponse] = [globalThis.Request, globalThis.Response];
  const collector = createCollector({ db: ':memory:' });
  onTestFinished(() => collector.close());
  const res = await collector.fetch(
    new Request('https://shop.example/collect', { method: 'POST', body: batch([makeEvent()]), headers: { 'Content-Type': 'text/plain' } }),
  );
  expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  expect(res).toBeInstanceOf(OwnResponse);
  expect([globalThis.Request, globalThis.Response]).toEqual([OwnRequest, OwnResponse]);
});
