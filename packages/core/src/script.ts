let policy: { createScriptURL(url: string): string } | undefined | false;

/**
 * Inject a vendor script (`async`). Works under a strict Content-Security-Policy: it copies
 * the page's script nonce, and under Trusted Types (`require-trusted-types-for 'script'`)
 * it makes the URL through a `waybill` policy, which the page's `trusted-types` directive must allow.
 */
export const loadScript = (src: string) => {
  const tt = (window as { trustedTypes?: { createPolicy(name: string, rules: object): typeof policy } }).trustedTypes;
  if (policy == null) {
    try {
      policy = tt?.createPolicy('waybill', { createScriptURL: (url: string) => url }) || false;
    } catch {
      // The page's trusted-types directive does not allow our policy (or it exists already).
      policy = false;
    }
  }
  const script = document.createElement('script');
  script.async = true;
  script.src = policy ? policy.createScriptURL(src) : src;
  const nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce;
  if (nonce) script.nonce = nonce;
  document.head.appendChild(script);
  return script;
};
