import { describe, expect, it } from 'vitest';
import { batch, expectError, makeEvent, post, startCollector } from './helpers';

const ask = (url: string, known: unknown, v: unknown = 1) => post(url, JSON.stringify({ v, known }));

describe('POST /collect {"v": 1, "known": [...]}: which events are stored', () => {
  it('answers the subset of the ids that is stored, stores nothing and counts no event', async () => {
    const { collector, url } = await startCollector();
    const stored = [makeEvent(), makeEvent()];
    await post(url, batch(stored));
    const res = await ask(url, [stored[0]!.id, 'never-sent', stored[1]!.id]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ known: [stored[0]!.id, stored[1]!.id] });
    expect(await (await ask(url, [])).json()).toEqual({ known: [] });
    expect(collector.events()).toHaveLength(2);
    expect(collector.stats()).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
  });

  it('refuses a malformed question with 400 and a clear error', async () => {
    const { url } = await startCollector();
    await expectError(await ask(url, 'evt-1'), 400, /"known" must be an array/);
    await expectError(await ask(url, [1, 2]), 400, /"known" must be an array/);
    await expectError(await ask(url, Array.from({ length: 501 }, (_, i) => `evt-${i}`)), 400, /at most 500/);
    await expectError(await ask(url, ['evt-1'], 2), 400, /"v": 1/);
  });
});
