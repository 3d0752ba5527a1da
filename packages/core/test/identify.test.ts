// @vitest-environment happy-dom
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createTracker, normaliseEmail, normalisePhone, sha256 } from '@waybill/core';
import { fakeDestination, isolatePage, leavePage, settle, storedText, webStorageText } from './helpers';

isolatePage();

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/** A granted tracker with a stored destination. */
const setup = () => {
  const d = fakeDestination({ persist: true });
  const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
  return { d, t };
};

describe('normalising and hashing', () => {
  it('trims and lower-cases an email', () => {
    expect(normaliseEmail('  A.Shopper@Example.COM ')).toBe('a.shopper@example.com');
  });

  it.each([
    ['+1 (555) 010-9999', '+15550109999'],
    ['0044 20 7946 0000', '+442079460000'],
    ['+44 20 7946 0000', '+442079460000'],
    [' 15550109999 ', '+15550109999'],
  ])('writes the phone %s as E.164 %s', (raw, e164) => {
    expect(normalisePhone(raw)).toBe(e164);
  });

  it('computes a lower-case hex SHA-256', async () => {
    expect(await sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('identify', () => {
  it('sends an identify event with the user id and the SHA-256 of the normalised email', async () => {
    const { d, t } = setup();
    t.identify('user-42', { email: ' A@Example.com ' });
    await t.flush();
    expect(d.sent()[0]).toMatchObject({ type: 'identify', name: 'identify', userId: 'user-42', traits: { email: hash('a@example.com') } });
  });

  it.each([
    ['+1 (555) 010-9999', '+15550109999'],
    ['0044 20 7946 0000', '+442079460000'],
  ])('hashes the phone %s as the SHA-256 of %s', async (raw, e164) => {
    const { d, t } = setup();
    t.identify('user-42', { phone: raw });
    await t.flush();
    expect(d.sent()[0].traits).toEqual({ phone: hash(e164) });
  });

  it('passes a value that is already a SHA-256 hex through, lower-cased', async () => {
    const { d, t } = setup();
    const pre = hash('a@example.com');
    t.identify('user-42', { email: pre.toUpperCase(), phone: pre });
    await t.flush();
    expect(d.sent()[0].traits).toEqual({ email: pre, phone: pre });
  });

  it('keeps other traits and drops empty email and phone', async () => {
    const { d, t } = setup();
    t.identify('user-42', { email: '  ', phone: '', plan: 'gold' });
    await t.flush();
    expect(d.sent()[0].traits).toEqual({ plan: 'gold' });
  });

  it('puts events tracked right after identify behind it, with the user id and traits', async () => {
    const { d, t } = setup();
    t.track('before');
    t.identify('user-42', { email: 'a@example.com' });
    t.track('after');
    t.page();
    await t.flush();
    expect(d.names()).toEqual(['before', 'identify', 'after', 'page_view']);
    const after = d.sent()[2];
    expect(after.userId).toBe('user-42');
    expect(after.traits).toEqual({ email: hash('a@example.com') });
    expect(d.sent()[0].userId).toBeUndefined();
  });

  it('forgets the user on identify(null)', async () => {
    const { d, t } = setup();
    t.identify('user-42', { email: 'a@example.com' });
    t.identify(null);
    t.track('after_logout');
    await t.flush();
    const last = d.sent().at(-1)!;
    expect(last.name).toBe('after_logout');
    expect(last.userId).toBeUndefined();
    expect(last.traits).toBeUndefined();
  });

  it('merges traits of successive identify calls', async () => {
    const { d, t } = setup();
    t.identify('user-42', { email: 'a@example.com' });
    t.identify('user-42', { phone: '+15550109999' });
    t.track('x');
    await t.flush();
    expect(d.sent().at(-1)!.traits).toEqual({ email: hash('a@example.com'), phone: hash('+15550109999') });
  });

  it('never lets the raw email or phone reach a destination, storage or the debug log', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const d = fakeDestination({ persist: true, replies: ['retry'] });
    const t = createTracker({ destinations: [d], consent: { analytics: 'granted' }, debug: true });
    t.identify('user-42', { email: 'Raw.Person@Example.com', phone: '+1 (555) 010-9999' });
    t.track('after');
    await t.flush();
    await settle();
    const sent = JSON.stringify(d.calls);
    const stored = await storedText();
    // the hashed value is there, so the places looked at are the right ones
    expect(sent).toContain(hash('raw.person@example.com'));
    expect(stored).toContain(hash('raw.person@example.com'));
    const seen = [sent, stored, webStorageText(), JSON.stringify([log.mock.calls, warn.mock.calls])].join('\n').toLowerCase();
    for (const raw of ['raw.person@example.com', 'raw.person', '5550109999', '555) 010']) expect(seen).not.toContain(raw);
  });

  it("does not carry one user's traits over to a different user", async () => {
    const { d, t } = setup();
    t.identify('alice', { email: 'alice@example.com' });
    t.identify('bob', { plan: 'gold' });
    t.track('after');
    await t.flush();
    const last = d.sent().at(-1)!;
    expect(last.userId).toBe('bob');
    expect(last.traits).toEqual({ plan: 'gold' });
  });

  it('drops email and phone when crypto.subtle is missing (plain http)', async () => {
    vi.spyOn(crypto.subtle, 'digest').mockRejectedValue(new Error('no subtle'));
    const { d, t } = setup();
    t.identify('user-42', { email: 'a@example.com', plan: 'gold' });
    await t.flush();
    expect(d.sent()[0]).toMatchObject({ userId: 'user-42', traits: { plan: 'gold' } });
  });

  it('holds the identify event back while consent is pending, like any other event', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.identify('user-42', { email: 'a@example.com' });
    await t.flush();
    expect(d.calls).toHaveLength(0);
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.names()).toEqual(['identify']);
  });

  it('hands events recorded while identify is hashing to the beacon when the page is left', async () => {
    const d = fakeDestination({ replies: ['beacon'] });
    const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
    t.identify('user-42', { email: 'a@example.com' });
    t.track('purchase', { transaction_id: 'T1' });
    leavePage();
    expect(d.names()).toContain('purchase');
  });
});
