export { tcf, TCF_PURPOSES } from './tcf';
export { gpc, hasGpc } from './gpc';
export { oneTrust, ONETRUST_GROUPS } from './onetrust';
export { cookiebot, COOKIEBOT_CATEGORIES } from './cookiebot';
export { cookieConsent, COOKIECONSENT_CATEGORIES } from './cookieconsent';
export type { ConsentTarget, Unsubscribe } from './tell';
