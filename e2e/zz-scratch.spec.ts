import { test, sdkReady, flush } from './fixtures';
test('scratch timing', async ({ page, shop }) => {
  const t0 = Date.now();
  const huge = `const huge = 'x'.repeat(1024*1024); window.t1 = performance.now(); for (let i = 0; i < 20; i++) { wb('track', huge); wb('track', 'x', { big: huge }); wb('identify', 'u', { email: huge }); } window.t2 = performance.now();`;
  await page.goto(shop({ script: `wb('consent', { analytics: 'granted' }); ${huge}` }));
  console.log('goto', Date.now() - t0);
  await sdkReady(page);
  console.log('ready', Date.now() - t0, await page.evaluate(() => [(window as any).t1, (window as any).t2, performance.now()]));
  await flush(page);
  console.log('flushed', Date.now() - t0);
});
