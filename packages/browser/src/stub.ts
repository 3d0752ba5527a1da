// The copy-paste stub: defines `waybill(...)` to queue calls until the bundle loads.
// Loaded after the bundle it does nothing, since `waybill` already exists.
const w = window as unknown as { waybill?: { (...args: unknown[]): void; q?: unknown[] } };
w.waybill =
  w.waybill ||
  function () {
    // eslint-disable-next-line prefer-rest-params -- `arguments` is the shortest way to keep the call as it was
    (w.waybill!.q = w.waybill!.q || []).push(arguments);
  };
