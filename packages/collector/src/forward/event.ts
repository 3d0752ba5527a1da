// A stored event as the forwarding reads it. Validation guarantees the envelope (`id`, `type`,
// `name`, `ts`); the rest comes from whoever sent it (an old SDK, a shop's backend), so every
// field is read defensively and a missing one is simply absent.
import { createHash } from 'node:crypto';
import type { ConsentSnapshot, PageContext } from '@waybill/core';

/** An event's fields the payload builders use, each present only when it has the right type. */
export interface ForwardedEvent {
  id: string;
  type: string;
  name: string;
  ts: number;
  props: Record<string, unknown>;
  anonymousId?: string;
  sessionId?: string;
  userId?: string;
  traits: Record<string, unknown>;
  page: Partial<PageContext>;
  clickIds: Record<string, unknown>;
  consent: Partial<ConsentSnapshot>;
  forward: string[];
  vendorIds: { ttp?: string; ga?: string };
}

const object = (value: unknown): Record<string, unknown> =>
  typeof value == 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** A non-empty string, or nothing. */
export const text = (value: unknown): string | undefined => (typeof value == 'string' && value != '' ? value : undefined);

/** Reads a stored event (see {@link ForwardedEvent}). */
export function readEvent(event: Record<string, unknown>): ForwardedEvent {
  const context = object(event.context);
  const page = object(context.page);
  const vendorIds = object(context.vendorIds);
  return {
    id: String(event.id),
    type: String(event.type),
    name: String(event.name),
    ts: Number(event.ts),
    props: object(event.props),
    anonymousId: text(event.anonymousId),
    sessionId: text(event.sessionId),
    userId: text(event.userId),
    traits: object(event.traits),
    page: { url: text(page.url), referrer: text(page.referrer), title: text(page.title) },
    clickIds: object(context.clickIds),
    consent: object(context.consent) as Partial<ConsentSnapshot>,
    forward: Array.isArray(context.forward) ? context.forward.filter((d) => typeof d == 'string') : [],
    vendorIds: { ttp: text(vendorIds.ttp), ga: text(vendorIds.ga) },
  };
}

/**
 * When the event happened, for the vendor: its browser time, unless that is after the collector
 * received it (a browser clock running fast), which vendors refuse as a time in the future.
 */
export const eventTime = (e: ForwardedEvent, receivedAt: number): number => (e.ts > receivedAt ? receivedAt : e.ts);

/** Lower-case hex SHA-256. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

const HEX64 = /^[0-9a-f]{64}$/i;

/**
 * A match key for a vendor: the SHA-256 hex of the normalised value, or the value itself when it
 * already is a digest (the browser SDK hashes email and phone before they leave the page; a
 * shop's backend may send them raw, and they are never forwarded raw). Empty: nothing.
 */
export function matchKey(value: unknown, normalise: (raw: string) => string): string | undefined {
  if (typeof value != 'string') return undefined;
  const trimmed = value.trim();
  if (HEX64.test(trimmed)) return trimmed.toLowerCase();
  const normalised = normalise(trimmed);
  // A phone without digits normalises to "+": nothing to match on, as the SDK drops it too.
  return normalised.replace(/^\+$/, '') ? sha256(normalised) : undefined;
}
