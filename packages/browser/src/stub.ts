// The copy-paste stub: defines `waybill(...)` to queue calls until the bundle loads.
// It declares no binding of its own, so it can run twice, or after the bundle, without
// clashing with the page's globals; the `||` keeps whatever `waybill` already exists.
(window as unknown as { waybill: unknown }).waybill =
  (window as unknown as { waybill: unknown }).waybill ||
  function () {
    const w = window as unknown as { waybill: { q?: unknown[] } };
    // eslint-disable-next-line prefer-rest-params -- `arguments` keeps the call as it was, in the fewest bytes
    (w.waybill.q = w.waybill.q || []).push(arguments);
  };
