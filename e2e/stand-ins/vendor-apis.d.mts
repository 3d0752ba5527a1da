/** One request a stand-in got. */
export interface ApiRequest {
  /** Server clock (ms) when the body had arrived. */
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  /** The parsed JSON body (undefined if it was not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the client sent
  /** What was wrong with it, by the documented shape; empty when nothing. */
  problems: string[];
  /** The status answered (undefined until answered, or for a hung request). */
  status?: number;
  /** Closed unanswered by {@link StandIn.drop}. */
  dropped?: boolean;
  /** The body answered, parsed when JSON. */
  answer?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the vendor's answer
}

/** A canned answer for the next requests. */
export interface Failure {
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the client's timeout must fire). */
  hang?: boolean;
}

interface StandIn {
  /** `http://127.0.0.1:<port>`: the API base URL to configure. */
  readonly url: string;
  /** Every request, oldest first. */
  readonly requests: readonly ApiRequest[];
  /** Forgets the requests so far (long benchmarks). */
  clear(): void;
  /** Answer the next `count` requests with `status` (and `headers`, `body`), or not at all (`hang`). */
  failNext(count: number, status: number, options?: Failure): void;
  /** Hold every answer (after the next `after` ones) until the returned function is called. */
  hold(options?: { after?: number }): () => void;
  /**
   * Ends the hold by dropping what it held: the connections are closed unanswered, and those
   * requests never count as received (as a vendor that went down before taking them). Returns how many.
   */
  drop(): number;
  close(): Promise<void>;
}

/** A `data[]` entry of an Events API call. */
export interface EventsApiEvent {
  event: string;
  event_time: number;
  event_id: string;
  user: Record<string, string>;
  page?: { url: string; referrer?: string };
  properties: Record<string, unknown>;
}

export interface EventsApi extends StandIn {
  /** The events of every call TikTok accepted (answered code 0), in order. */
  events(): EventsApiEvent[];
}

/** A collected Measurement Protocol event with its request's fields. */
export interface MeasurementProtocolEvent {
  name: string;
  params: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- event parameters
  timestamp_micros?: number;
  client_id: string;
  user_id?: string;
  consent?: { ad_user_data: string; ad_personalization: string };
  /** What was wrong with its request. */
  problems: string[];
}

export interface MeasurementProtocol extends StandIn {
  /** Every event collected (`/mp/collect`, answered 2xx), in order. */
  events(): MeasurementProtocolEvent[];
}

/** What is wrong with an Events API body, by the documented shape. */
export declare function checkEventsApi(body: unknown, options?: { pixel?: string; now?: number }): string[];
/** What is wrong with a Measurement Protocol request, by the documented shape and limits. */
export declare function checkMeasurementProtocol(
  body: unknown,
  query: URLSearchParams,
  options?: { measurementId?: string; apiSecret?: string; now?: number; bytes?: number },
): string[];
export declare function startEventsApi(options: { pixel: string; token: string }): Promise<EventsApi>;
export declare function startMeasurementProtocol(options: { measurementId: string; apiSecret: string }): Promise<MeasurementProtocol>;
