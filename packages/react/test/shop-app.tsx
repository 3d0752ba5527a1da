// One small app rendered on the server (ssr.test.tsx, no window) and hydrated in the browser
// (hydrate.test.tsx): the markup below is what the server sends, asserted on both sides.
import { StrictMode } from 'react';
import type { TrackerOptions } from '@waybill/core';
import { useConsent, usePageViews, useWaybill, WaybillProvider } from '@waybill/react';

function Banner() {
  const consent = useConsent();
  const waybill = useWaybill();
  if (consent.analytics !== 'pending') return <p className="consent">{consent.analytics ?? 'unknown'}</p>;
  return (
    <div role="dialog" aria-label="Privacy">
      <button onClick={() => waybill.consent.update({ analytics: 'granted' })}>Accept</button>
    </div>
  );
}

function Page() {
  usePageViews();
  const waybill = useWaybill();
  return <button onClick={() => waybill.track('add_to_cart')}>Add to cart</button>;
}

export function ShopApp({ options }: { options: TrackerOptions }) {
  return (
    <StrictMode>
      <WaybillProvider options={options}>
        <main>
          <Page />
          <Banner />
        </main>
      </WaybillProvider>
    </StrictMode>
  );
}

/** What `renderToString(<ShopApp />)` gives on a server. */
export const SERVER_HTML = '<main><button>Add to cart</button><p class="consent">unknown</p></main>';
