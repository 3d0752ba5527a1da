// @vitest-environment happy-dom
import { act } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleCalls, recorded } from './helpers';
import { SERVER_HTML, ShopApp } from './shop-app';

// What React Testing Library sets when imported: tell React this is a test, so act() works.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

describe('hydrating the server markup', () => {
  it('hydrates without a mismatch, then shows the real consent and tracks', async () => {
    // React reports a mismatch through console.error and onRecoverableError.
    const calls = consoleCalls();
    const recoverable: unknown[] = [];
    const container = document.createElement('div');
    container.innerHTML = SERVER_HTML;
    document.body.append(container);
    const serverButton = container.querySelector('button');
    const { options, sink } = recorded();
    options.batchSize = 1;

    await act(async () => {
      root = hydrateRoot(container, <ShopApp options={options} />, { onRecoverableError: (error) => void recoverable.push(error) });
    });
    expect(recoverable).toEqual([]);
    expect(calls).toEqual([]);
    // Hydrated, not re-rendered: the server's button is still there, and now the banner asks.
    expect(container.querySelector('button')).toBe(serverButton);
    expect(container.querySelector('[role=dialog]')).not.toBeNull();

    await act(async () => {
      container.querySelector<HTMLButtonElement>('[role=dialog] button')!.click();
      serverButton!.click();
    });
    expect(container.querySelector('.consent')!.textContent).toBe('granted');
    await expect.poll(() => sink.events.map((e) => e.name)).toEqual(['page_view', 'add_to_cart']);
  });

  it('a mismatch would be caught: markup the client does not render is reported', async () => {
    const calls = consoleCalls();
    const recoverable: unknown[] = [];
    const container = document.createElement('div');
    container.innerHTML = SERVER_HTML.replace('unknown', 'pending');
    document.body.append(container);
    await act(async () => {
      root = hydrateRoot(container, <ShopApp options={recorded().options} />, { onRecoverableError: (error) => void recoverable.push(error) });
    });
    expect([...recoverable, ...calls].length).toBeGreaterThan(0);
  });
});
