let policy: { createScriptURL(url: string): string } | undefined;

/**
 * Inject a vendor script (scripts added this way run `async`). Works under a strict
 * Content-Security-Policy: it copies the page's script nonce, and under Trusted Types
 * (`require-trusted-types-for 'script'`) it makes the URL through a `waybill` policy, which
 * the page's `trusted-types` directive must allow.
 */
export const loadScript = (src: string) => {
  try {
    // Throws without Trusted Types, and when the page's directive does not allow our policy.
    policy ||= (window as unknown as { trustedTypes: { createPolicy(name: string, rules: object): typeof policy } }).trustedTypes.createPolicy('waybill', {
      createScriptURL: (url: string) => url,
    });
  } catch {}
  const script = document.createElement('script');
  script.src = policy?.createScriptURL(src) || src;
  script.nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce || '';
  document.head.append(script);
};
