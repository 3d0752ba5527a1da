// The driver layer itself, in every engine: open, run a script, navigate, read storage, close.
import { expect, test } from './fixtures';
import { readStorage } from './storage';
import { waitForUrl } from './driver';

test('the layer: open, evaluate, navigate, storage', async ({ tab, shop, elsewhere, engineName }) => {
  const url = shop({ script: `document.cookie = 'k=v; path=/'; localStorage.setItem('a', '1'); sessionStorage.setItem('b', '2');` });
  await tab.goto(url);
  expect(await tab.evaluate((x: number) => x * 2, 21)).toBe(42);
  expect(await tab.evaluate(async () => { await new Promise((r) => setTimeout(r, 10)); return location.pathname; })).toMatch(/^\/page-/);
  await tab.evaluate(() => new Promise<void>((done) => {
    const open = indexedDB.open('probe');
    open.onupgradeneeded = () => open.result.createObjectStore('s');
    open.onsuccess = () => { const tx = open.result.transaction('s', 'readwrite'); tx.objectStore('s').put({ x: 1 }, 'key'); tx.oncomplete = () => { open.result.close(); done(); }; };
  }));
  const held = await readStorage(tab);
  expect(held.cookies.map((c) => [c.name, c.value])).toEqual([['k', 'v']]);
  expect(held.localStorage).toEqual({ a: '1' });
  expect(held.sessionStorage).toEqual({ b: '2' });
  expect(held.indexedDB).toEqual([{ name: 'probe', stores: [{ name: 's', keys: ['key'], values: [{ x: 1 }] }] }]);
  const away = elsewhere.page();
  await tab.evaluate((to: string) => void setTimeout(() => (location.href = to)), away);
  await waitForUrl(tab, away);
  expect(await tab.evaluate(() => document.title)).toBe('Elsewhere');
  console.log(engineName);
});
