// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from 'vue';
import { consoleCalls, recorded } from './helpers';
import { SERVER_HTML, shopApp } from './shop-app';

let mounted: App | undefined;
afterEach(() => {
  mounted?.unmount();
  mounted = undefined;
  document.body.innerHTML = '';
  history.replaceState(null, '', '/');
});

async function hydrate(html: string, options = recorded().options) {
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  const { app, router } = shopApp(options);
  await router.push('/');
  await router.isReady();
  app.mount(container);
  mounted = app;
  return container;
}

describe('hydrating the server markup', () => {
  it('hydrates without a mismatch, then shows the real consent and tracks', async () => {
    // Vue reports a mismatch with console.warn ("[Vue warn]: Hydration … mismatch") and console.error.
    const calls = consoleCalls();
    const { options, sink } = recorded();
    options.batchSize = 1;
    const container = document.createElement('div');
    container.innerHTML = SERVER_HTML;
    const serverButton = container.querySelector('button');
    const hydrated = await hydrate(container.innerHTML, options);
    expect(calls).toEqual([]);
    // The banner asks once mounted (the server could not know the shopper's choice).
    await expect.poll(() => hydrated.querySelector('[role=dialog]')).not.toBeNull();
    expect(hydrated.querySelector('.add')!.outerHTML).toBe(serverButton!.outerHTML);

    hydrated.querySelector<HTMLButtonElement>('[role=dialog] button')!.click();
    hydrated.querySelector<HTMLButtonElement>('.add')!.click();
    await expect.poll(() => hydrated.querySelector('.consent')?.textContent).toBe('granted');
    await expect.poll(() => sink.events.map((e) => e.name)).toEqual(['page_view', 'add_to_cart']);
    expect(calls).toEqual([]);
  });

  it('a mismatch would be caught: markup the client does not render is reported', async () => {
    const calls = consoleCalls();
    await hydrate(SERVER_HTML.replace('unknown', 'pending'));
    expect(calls.length).toBeGreaterThan(0);
  });
});
