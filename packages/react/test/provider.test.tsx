// @vitest-environment happy-dom
import { StrictMode, useEffect, useState } from 'react';
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracker, type Tracker } from '@waybill/core';
import { useConsent, useWaybill, WaybillProvider } from '@waybill/react';
import { consoleCalls, countingConsent, listenerLedger, recorded } from './helpers';

afterEach(cleanup);

/** Renders nothing; hands the tracker it sees to `seen` on every render. */
function Probe({ seen }: { seen: (t: Tracker) => void }) {
  seen(useWaybill());
  return null;
}

describe('useWaybill outside a provider', () => {
  it('returns a tracker whose every call does nothing and never throws', async () => {
    let t: Tracker | undefined;
    render(<Probe seen={(x) => (t = x)} />);
    expect(t).toBeDefined();
    expect(t!.page()).toBeUndefined();
    expect(t!.track('purchase', { transaction_id: 'T1' })).toBeUndefined();
    expect(() => t!.identify('user-1', { email: 'a@example.com' })).not.toThrow();
    expect(() => t!.consent.update({ analytics: 'granted' })).not.toThrow();
    expect(t!.consent.get()).toEqual({});
    const off = t!.consent.on(() => {});
    expect(() => off()).not.toThrow();
    expect(() => t!.use({ name: 'x', category: 'necessary', send() {} })).not.toThrow();
    await expect(t!.flush()).resolves.toBeUndefined();
  });
});

describe('WaybillProvider', () => {
  it('gives its children the tracker it was passed', () => {
    const tracker = createTracker({ storage: false });
    let seen: Tracker | undefined;
    render(
      <WaybillProvider tracker={tracker}>
        <Probe seen={(t) => (seen = t)} />
      </WaybillProvider>,
    );
    expect(seen).toBe(tracker);
  });

  it('makes one tracker from options under StrictMode, keeps it across renders with new options, and adds only the listeners core adds', async () => {
    const win = listenerLedger(globalThis);
    const { sink } = recorded();
    const trackers = new Set<Tracker>();
    let rerender!: () => void;
    function App() {
      const [n, setN] = useState(0);
      rerender = () => setN(n + 1);
      // A fresh options object on every render, as inline JSX gives.
      return (
        <WaybillProvider options={{ destinations: [sink], storage: false }}>
          <Probe seen={(t) => trackers.add(t)} />
          <span>{n}</span>
        </WaybillProvider>
      );
    }
    render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
    act(() => rerender());
    act(() => rerender());
    expect(trackers.size).toBe(1);
    // One tracker: core's own page-hide listeners, once.
    expect(win.count('pagehide')).toBe(1);
    expect(win.count('visibilitychange')).toBe(1);
    const [tracker] = trackers;
    tracker!.track('one');
    await tracker!.flush();
    expect(sink.events.map((e) => e.name)).toEqual(['one']);
  });

  it('gives a remount with the same options object the same tracker', () => {
    const { options } = recorded();
    const seen: Tracker[] = [];
    const tree = () => (
      <StrictMode>
        <WaybillProvider options={options}>
          <Probe seen={(t) => seen.push(t)} />
        </WaybillProvider>
      </StrictMode>
    );
    render(tree()).unmount();
    render(tree());
    expect(new Set(seen).size).toBe(1);
  });

  it('lets a child track in its first effect (the tracker exists before any effect runs)', async () => {
    const { options, sink } = recorded();
    function Product() {
      const waybill = useWaybill();
      useEffect(() => void waybill.track('view_item', { items: [{ item_id: 'SKU1' }] }), [waybill]);
      return null;
    }
    let tracker!: Tracker;
    render(
      <WaybillProvider options={options}>
        <Product />
        <Probe seen={(t) => (tracker = t)} />
      </WaybillProvider>,
    );
    await tracker.flush();
    expect(sink.events.map((e) => e.name)).toEqual(['view_item']);
  });
});

describe('useConsent', () => {
  function Banner() {
    const consent = useConsent();
    const waybill = useWaybill();
    return (
      <p>
        <output>{consent.analytics ?? 'unknown'}</output>
        <button onClick={() => waybill.consent.update({ analytics: 'granted' })}>Accept</button>
      </p>
    );
  }

  it('shows the current consent and re-renders on every change, from the component or from elsewhere', () => {
    const quiet = consoleCalls();
    const tracker = createTracker({ storage: false });
    let renders = 0;
    function Counted() {
      renders++;
      return <Banner />;
    }
    const view = render(
      <StrictMode>
        <WaybillProvider tracker={tracker}>
          <Counted />
        </WaybillProvider>
      </StrictMode>,
    );
    const output = () => view.container.querySelector('output')!.textContent;
    expect(output()).toBe('pending');
    act(() => view.getByRole('button').click());
    expect(output()).toBe('granted');
    act(() => tracker.consent.update({ analytics: 'denied' }));
    expect(output()).toBe('denied');
    // An update that changes nothing renders nothing.
    const before = renders;
    act(() => tracker.consent.update({ analytics: 'denied' }));
    expect(renders).toBe(before);
    expect(quiet).toEqual([]);
  });

  it('unsubscribes on unmount', () => {
    const tracker = createTracker({ storage: false });
    const { tracker: counting, live } = countingConsent(tracker);
    const view = render(
      <StrictMode>
        <WaybillProvider tracker={counting}>
          <Banner />
          <Banner />
        </WaybillProvider>
      </StrictMode>,
    );
    expect(live()).toBe(2);
    view.unmount();
    expect(live()).toBe(0);
  });

  it('is {} outside a provider', () => {
    const view = render(<Banner />);
    expect(view.container.querySelector('output')!.textContent).toBe('unknown');
    expect(() => act(() => view.getByRole('button').click())).not.toThrow();
  });
});
