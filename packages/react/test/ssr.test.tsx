// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { useConsent, useWaybill } from '@waybill/react';
import { consoleCalls, recorder } from './helpers';
import { SERVER_HTML, ShopApp } from './shop-app';

describe('server rendering (react-dom/server, no window)', () => {
  it('runs where there really is no window', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
  });

  it('renders the provider, useConsent and usePageViews with no warning, no error and nothing sent', () => {
    const calls = consoleCalls();
    const sink = recorder();
    expect(renderToString(<ShopApp options={{ destinations: [sink] }} />)).toBe(SERVER_HTML);
    expect(calls).toEqual([]);
    expect(sink.events).toEqual([]);
  });

  it('gives a tracker that does nothing outside a provider too', () => {
    const calls = consoleCalls();
    function Outside() {
      const waybill = useWaybill();
      waybill.track('rendered');
      waybill.identify('u1');
      return <i>{JSON.stringify(useConsent())}</i>;
    }
    expect(renderToString(<Outside />)).toBe('<i>{}</i>');
    expect(calls).toEqual([]);
  });
});
