// The driver layer itself, in every engine: open a page, run a script in it, navigate (by the
// driver, by the page, back), read cookies, Web Storage and IndexedDB, close.
import { evaluateAndLeave, waitForUrl } from './driver';
import { expect, test } from './fixtures';
import { readStorage } from './storage';

test('the layer: evaluate, navigate and go back, read what the browser holds', async ({ tab, shop, elsewhere }) => {
  const url = shop({ script: `document.cookie = 'k=v; path=/'; localStorage.setItem('a', '1'); sessionStorage.setItem('b', '2');` });
  await tab.goto(url);
  expect(await tab.evaluate((x: number) => x * 2, 21), 'an argument in, a result out').toBe(42);
  expect(await tab.evaluate(() => new Promise((done) => setTimeout(() => done(location.pathname), 10))), 'a promise is awaited').toBe(new URL(url).pathname);
  await tab.evaluate(
    () =>
      new Promise<void>((done) => {
        const open = indexedDB.open('probe');
        open.onupgradeneeded = () => open.result.createObjectStore('s');
        open.onsuccess = () => {
          const tx = open.result.transaction('s', 'readwrite');
          tx.objectStore('s').put({ x: 1 }, 'key');
          tx.oncomplete = () => (open.result.close(), done());
        };
      }),
  );
  const held = await readStorage(tab);
  expect(held.cookies.map((c) => [c.name, c.value, c.path])).toEqual([['k', 'v', '/']]);
  expect(held.localStorage).toEqual({ a: '1' });
  expect(held.sessionStorage).toEqual({ b: '2' });
  expect(held.indexedDB).toEqual([{ name: 'probe', stores: [{ name: 's', keys: ['key'], values: [{ x: 1 }] }] }]);

  // The page navigates itself, in the same task as other work.
  const away = elsewhere.page('Away');
  await evaluateAndLeave(tab, (to) => void (location.href = to), away);
  await waitForUrl(tab, away);
  expect(await tab.evaluate(() => document.title)).toBe('Away');
  await tab.back();
  await waitForUrl(tab, url);
  expect((await readStorage(tab)).localStorage, 'storage survives the round trip').toEqual({ a: '1' });
});
