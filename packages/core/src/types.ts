import type { Catalogue, EventName } from './catalogue';

/** Consent categories. `necessary` is always granted; others are extensible. */
export type Category = 'necessary' | 'analytics' | 'marketing' | (string & {});
/** The state of one consent category. */
export type ConsentState = 'granted' | 'denied' | 'pending';
/** A category-to-state map, as held by the tracker and snapshotted on each event. */
export type ConsentSnapshot = Record<string, ConsentState>;

/** `type` of an event on the wire. */
export type EventType = 'track' | 'page' | 'identify';

/** Page context captured when the event was created. */
export interface PageContext {
  url: string;
  path: string;
  referrer: string;
  title: string;
}

/** Context carried by every event (wire format v1). */
export interface EventContext {
  page: PageContext;
  locale: string;
  timezone: string;
  /** `"<width>x<height>"` of the screen. */
  screen: string;
  /** `utm_*` parameters of the landing URL of this session. */
  campaign: Record<string, string>;
  /** Ad click ids of the landing URL (`ttclid`, `gclid`, `fbclid`). */
  clickIds: Record<string, string>;
  /** Consent in force when the event was created. */
  consent: ConsentSnapshot;
  library: { name: string; version: string };
  /**
   * The collector's server-side destinations (`'tiktok'`, `'ga4'`) the page asks to send this
   * event to: the `forward` of the tracker's destinations. Absent: the collector forwards nothing.
   */
  forward?: string[];
  /**
   * Vendor cookie values for the collector's matching, added by the first-party destination
   * only for events to forward to that vendor, and only with the consent the vendor needs:
   * `ttp`, TikTok's `_ttp` (marketing); `ga`, Google's `_ga` (analytics).
   */
  vendorIds?: { ttp?: string; ga?: string };
}

/** One event, exactly as it travels to the collector (wire format v1). */
export interface WaybillEvent {
  /** Unique id: a time-ordered UUIDv7 (RFC 9562), or the caller's own id. */
  id: string;
  type: EventType;
  name: string;
  props: Record<string, unknown>;
  /** Milliseconds since the epoch, when the call was made. */
  ts: number;
  anonymousId: string;
  sessionId: string;
  userId?: string;
  /** Hashed personal data (`email`, `phone` as SHA-256 hex) and other traits. */
  traits?: Record<string, unknown>;
  context: EventContext;
}

/** The body of `POST {endpoint}` (wire format v1). */
export interface WireBatch {
  v: 1;
  /** ISO-8601 time the batch left the browser. */
  sentAt: string;
  events: WaybillEvent[];
}

/** The collector's answer to a batch. */
export interface CollectResponse {
  accepted: number;
  duplicates: number;
  rejected: { index: number; error: string }[];
}

/**
 * What a destination's `send` reports:
 * - nothing or `'ok'`: delivered, forget the events;
 * - `'beacon'`: handed to the browser with unknown fate (kept in storage for the next page);
 * - `'drop'`: permanent failure, forget the events;
 * - `'retry'` or a number of milliseconds (a `Retry-After`): try again later.
 */
export type SendResult = void | 'ok' | 'beacon' | 'drop' | 'retry' | number;

/** What the core hands a destination's `init`. */
export interface DestinationContext {
  /** Logs in debug mode only. */
  warn(message: string, detail?: unknown): void;
  debug: boolean;
}

/**
 * A destination (adapter): a plain object made by a factory.
 * The core calls only what exists.
 */
export interface Destination {
  name: string;
  /** The consent category this destination needs. */
  category: Category;
  /**
   * `true` when events should be kept in IndexedDB until `send` confirms them
   * (network destinations such as the first-party collector).
   */
  persist?: boolean;
  /** Events per `send` (default: the tracker's `batchSize`); a vendor pixel that queues calls itself can use 1. */
  batchSize?: number;
  /**
   * The collector's server-side destination (`'tiktok'`, `'ga4'`) that should deliver this
   * vendor's copy of each event. The core lists it in every event's `context.forward`; the
   * collector forwards under the consent the event was collected with.
   */
  forward?: string;
  /** Called once, when the category is first granted. */
  init?(ctx: DestinationContext): void;
  /**
   * Deliver a batch. `unload` is true when the page is being hidden: use `sendBeacon`
   * and do not wait.
   */
  send(events: WaybillEvent[], unload: boolean): SendResult | Promise<SendResult>;
  /**
   * Which of these event ids the destination already holds, or nothing when it cannot tell.
   * Asked (with `persist`) about the events an earlier page stored and may have sent by beacon,
   * so that only the missing ones are sent again; without it, or when it cannot tell, they are
   * all sent again. Reject when the question got no answer (offline, the destination down):
   * the events stay stored and are asked about again later.
   */
  known?(ids: string[]): Promise<string[] | void> | void;
  /**
   * Told the consent state when the destination is added and after every change, whether
   * or not its category is granted (so it can signal consent to a vendor, e.g. Google
   * Consent Mode). It must not load anything or store anything for a category that is not granted.
   */
  consent?(state: ConsentSnapshot): void;
}

/**
 * The arguments after `track`'s name: a catalogue event's props are checked (and required
 * when the event has required fields, such as `purchase`'s `transaction_id`); custom events take any object.
 */
export type TrackArgs<N> = N extends keyof Catalogue
  ? {} extends Catalogue[N]
    ? [props?: Catalogue[N], options?: TrackOptions]
    : [props: Catalogue[N], options?: TrackOptions]
  : [props?: Record<string, unknown>, options?: TrackOptions];

/** Options of `track` and `page`. */
export interface TrackOptions {
  /** Your own event id (for example `purchase-<order id>`), so server-side copies deduplicate. */
  id?: string;
}

/** Traits passed to `identify`; `email` and `phone` are normalised and hashed in the browser. */
export interface Traits {
  email?: string;
  phone?: string;
  [key: string]: unknown;
}

export interface TrackerOptions {
  /** Where events go. More can be added with `tracker.use()`. */
  destinations?: Destination[];
  /** Initial consent; every category defaults to `'pending'` (`necessary` is always granted). */
  consent?: Partial<Record<Category, ConsentState>>;
  /** Deny `marketing` when `navigator.globalPrivacyControl` is true. Default `true`. */
  respectGpc?: boolean;
  /** Log each event and warn about dropped input. Default `false`. */
  debug?: boolean;
  /** Flush when this many events wait. Default 20. */
  batchSize?: number;
  /** Flush when the oldest waiting event is this old (ms). Default 5000. */
  flushInterval?: number;
  /** Events kept per destination while its consent is pending (oldest dropped). Default 100. */
  maxPending?: number;
  /** IndexedDB retention: `false` keeps events in memory only. Defaults `{ maxEvents: 1000, maxAge: 7 days }`. */
  storage?: false | { maxEvents?: number; maxAge?: number };
  /** Idle time after which a new session starts (ms). Default 30 minutes. */
  sessionTimeout?: number;
}

export interface ConsentApi {
  /** Merge new states into the current consent; the gate acts at once. */
  update(state: Partial<Record<Category, ConsentState>>): void;
  /** A copy of the current consent. */
  get(): ConsentSnapshot;
  /** Called with the new consent after every change; returns an unsubscribe function. */
  on(listener: (state: ConsentSnapshot) => void): () => void;
}

export interface Tracker {
  /** Record a page view; returns the event id, or `undefined` if the call was dropped. */
  page(props?: Record<string, unknown>, options?: TrackOptions): string | undefined;
  /** Record an event; returns the event id, or `undefined` if the call was dropped. */
  track<N extends EventName>(name: N, ...args: TrackArgs<N>): string | undefined;
  /** Attach a user id and hashed traits to this and later events. */
  identify(userId: string | null, traits?: Traits): void;
  consent: ConsentApi;
  /** Send everything that may be sent now; resolves when the sends settle. Never rejects. */
  flush(): Promise<void>;
  /** Add a destination. */
  use(destination: Destination): void;
}
