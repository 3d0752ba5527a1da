export { createCollector } from './collector';
export { FORWARDING_FLAGS, GA4_API_URL, GA4_EU_API_URL, TIKTOK_API_URL, forwarding, forwardingFromFlags } from './forward/index';
export type { DestinationReport, ForwardingFlag, ForwardingOptions, ForwardingPlugin, Ga4Forwarding, TikTokForwarding } from './forward/index';
export type { Collector, CollectorOptions, CollectorStats, EventsQuery, Forwarding } from './collector';
export type { Env } from './env';
export type { Log, LogLevel } from './log';
export type { ForwardDestination, Outbox, OutboxRow, OutboxState, OutboxStats, RequestMeta } from './outbox';
export type { Erased, EventsPage, InsertResult, ListQuery, Route, Store, StoredEvent } from './store/store';
export type { StorableEvent, ValidEvent } from './wire';
