// The five alert rules: each reads the store and says whether it fires, with its value and a
// sentence a marketer understands.
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../store/insights';
import type { Store } from '../store/store';
import type { AlertsConfig } from './config';

/** What a rule found. */
export interface Finding {
  firing: boolean;
  /** The measured value (a percentage, a count, minutes, points), or null when there is nothing to judge. */
  value: number | null;
  /** The sentence of the alert (for a firing rule), or what is measured. */
  message: string;
}

/** A rule: its title, its threshold as text, and its evaluation. */
export interface Rule {
  name: keyof AlertsConfig['rules'];
  title: string;
  threshold: string;
  windowMs: number;
  evaluate(store: Store, now: number): Promise<Finding>;
}

const round = (n: number) => Math.round(n * 10) / 10;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The rules a configuration turns on. */
export function rulesOf(config: AlertsConfig): Rule[] {
  const r = config.rules;
  const out: Rule[] = [];
  const windowMs = (rule: { windowMinutes?: number }) => (rule.windowMinutes ?? 60) * MINUTE_MS;

  if (r.coverage) {
    const { belowPercent, overMinutes = 60, graceMinutes = 10, minOrders = 5 } = r.coverage;
    out.push({
      name: 'coverage',
      title: 'Tracking coverage',
      threshold: `below ${belowPercent} % over ${overMinutes} min`,
      windowMs: windowMs(r.coverage),
      async evaluate(store, now) {
        // Browser purchases may arrive after the backend's order_created: the newest minutes wait.
        const to = now - graceMinutes * MINUTE_MS;
        const from = to - overMinutes * MINUTE_MS;
        const rows = await store.coverage(from, to, MINUTE_MS);
        const orders = rows.reduce((n, x) => n + x.orders, 0);
        const tracked = rows.reduce((n, x) => n + x.tracked, 0);
        if (orders < Math.max(1, minOrders)) return { firing: false, value: null, message: `${plural(orders, 'order')} in the last ${overMinutes} min: too few to judge` };
        const coverage = round((100 * tracked) / orders);
        return {
          firing: coverage < belowPercent,
          value: coverage,
          message: `tracking coverage is ${coverage} % over the last ${overMinutes} min (${tracked} of ${plural(orders, 'order')} had a browser purchase; alert below ${belowPercent} %)`,
        };
      },
    });
  }
  if (r.deadLetters) {
    const { above = 0 } = r.deadLetters;
    out.push({
      name: 'deadLetters',
      title: 'Forwarding dead letters',
      threshold: `above ${above}`,
      windowMs: windowMs(r.deadLetters),
      async evaluate(store, now) {
        const stats = await store.stats(now);
        const parts = Object.entries(stats).filter(([, s]) => s.dead > 0);
        const dead = parts.reduce((n, [, s]) => n + s.dead, 0);
        const detail = parts.map(([d, s]) => `${d} ${s.dead}${s.lastError ? ` (last error: ${s.lastError})` : ''}`).join(', ');
        return { firing: dead > above, value: dead, message: `${plural(dead, 'event')} could not be forwarded and wait in the dead-letter queue${detail ? `: ${detail}` : ''}; POST /forwarding/retry sends them again` };
      },
    });
  }
  if (r.lateDelivery) {
    const { afterDays = 5 } = r.lateDelivery;
    out.push({
      name: 'lateDelivery',
      title: 'Late deliveries',
      threshold: `shipped and not delivered after ${afterDays} days`,
      windowMs: windowMs(r.lateDelivery),
      async evaluate(store, now) {
        const { total, orders } = await store.lateOrders(now - afterDays * DAY_MS, 3);
        const examples = orders.map((o) => `${o.transactionId} (${o.carrier ?? 'no carrier'}, ${Math.floor((now - o.shippedAt!) / DAY_MS)} days)`).join(', ');
        return { firing: total > 0, value: total, message: `${plural(total, 'order')} shipped more than ${afterDays} days ago and not delivered${examples ? `, such as ${examples}` : ''}` };
      },
    });
  }
  if (r.noEvents) {
    const { forMinutes = 30 } = r.noEvents;
    out.push({
      name: 'noEvents',
      title: 'No events',
      threshold: `for ${forMinutes} min`,
      windowMs: windowMs(r.noEvents),
      async evaluate(store, now) {
        const last = await store.lastEventMinute();
        if (last === null) return { firing: false, value: null, message: 'no event received yet' };
        const quiet = Math.max(0, Math.floor((now - (last + MINUTE_MS)) / MINUTE_MS));
        return { firing: quiet >= forMinutes, value: quiet, message: `no event received for ${quiet} min (alert after ${forMinutes} min): check the site's tag and the collector's address` };
      },
    });
  }
  if (r.consentDenied) {
    const { jumpPoints, categories, minSessions = 50 } = r.consentDenied;
    out.push({
      name: 'consentDenied',
      title: 'Consent denials jumped',
      threshold: `by more than ${jumpPoints} points day over day`,
      windowMs: windowMs(r.consentDenied),
      async evaluate(store, now) {
        const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
        const rows = await store.consentCounts(hour - 47 * HOUR_MS, hour + HOUR_MS, HOUR_MS);
        const days = [new Map<string, { denied: number; all: number }>(), new Map<string, { denied: number; all: number }>()];
        for (const row of rows) {
          const day = days[row.bucket > hour - 24 * HOUR_MS ? 1 : 0]!;
          for (const [category, state] of Object.entries(JSON.parse(row.snapshot) as Record<string, string>)) {
            if (categories && !categories.includes(category)) continue;
            const c = day.get(category) ?? day.set(category, { denied: 0, all: 0 }).get(category)!;
            c.all += row.sessions;
            if (state === 'denied') c.denied += row.sessions;
          }
        }
        let worst: { category: string; jump: number; before: number; after: number } | undefined;
        for (const [category, after] of days[1]!) {
          const before = days[0]!.get(category);
          if (!before || before.all < minSessions || after.all < minSessions) continue;
          const [b, a] = [(100 * before.denied) / before.all, (100 * after.denied) / after.all];
          if (!worst || a - b > worst.jump) worst = { category, jump: round(a - b), before: round(b), after: round(a) };
        }
        if (!worst) return { firing: false, value: null, message: `fewer than ${minSessions} sessions a day to compare` };
        return {
          firing: worst.jump > jumpPoints,
          value: worst.jump,
          message: `${worst.category} consent denied by ${worst.after} % of sessions in the last 24 h, against ${worst.before} % the day before (${worst.jump > 0 ? '+' : ''}${worst.jump} points; alert above +${jumpPoints}): check the consent banner`,
        };
      },
    });
  }
  return out;
}
