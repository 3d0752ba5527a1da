export { createCollector } from './collector';
export type { Collector, CollectorOptions, CollectorStats, EventsQuery, Forwarding } from './collector';
export type { Env } from './env';
export type { Log, LogLevel } from './log';
export type { ForwardDestination, Outbox, OutboxRow, OutboxState, OutboxStats, RequestMeta } from './outbox';
export type { Erased, EventsPage, InsertResult, ListQuery, Route, Store, StoredEvent } from './store/store';
export type { StorableEvent, ValidEvent } from './wire';
