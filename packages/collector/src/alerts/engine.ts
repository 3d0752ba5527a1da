// Runs the alert rules: evaluates them on a timer, keeps each rule's state in the store (so that
// a restart or another collector process does not notify again), and POSTs a JSON message with
// a Slack-compatible `text` to the webhook when a rule fires (at most once per rule per window)
// and when it resolves.
import type { Log } from '../log';
import type { AlertState } from '../store/insights';
import type { Store } from '../store/store';
import type { AlertsConfig } from './config';
import { rulesOf, type Finding, type Rule } from './rules';

/** The body POSTed to the webhook. */
export interface AlertMessage {
  /** The message in one line (what Slack shows). */
  text: string;
  status: 'firing' | 'resolved';
  rule: string;
  title: string;
  threshold: string;
  value: number | null;
  message: string;
  /** When the rule started firing (ISO-8601). */
  since: string;
  at: string;
  dashboard?: string;
}

/** A rule as `GET /v1/stats/alerts` and the dashboard show it. */
export interface AlertReport {
  rule: string;
  title: string;
  threshold: string;
  firing: boolean;
  since: number | null;
  value: number | null;
  message: string | null;
}

/** Alerts of one collector. */
export interface Alerts {
  /** Evaluates every rule once at `now`, notifying what changed; resolves when the webhook calls are done. */
  evaluate(now?: number): Promise<void>;
  /** Every rule and where it stands. */
  report(): Promise<{ rules: AlertReport[] }>;
  /** Days after which a shipped order counts as late (the lateDelivery rule's, else 5). */
  lateAfterDays: number;
  /** Evaluates every `intervalSeconds` until the function it returns is called (which waits for a running evaluation). */
  start(): () => Promise<void>;
}

/** Sets up the alerts of `config` over `store`. `post` sends a webhook body (default: fetch). */
export function createAlerts(
  config: AlertsConfig | undefined,
  store: Store,
  log: Log,
  post: (url: string, body: AlertMessage) => Promise<void> = postJson,
): Alerts {
  const rules = config ? rulesOf(config) : [];
  const intervalMs = (config?.intervalSeconds ?? 60) * 1000;

  async function notify(rule: Rule, status: AlertMessage['status'], finding: Finding, since: number, now: number): Promise<boolean> {
    if (!config?.webhook) return false;
    const label = status === 'firing' ? 'FIRING' : 'RESOLVED';
    const body: AlertMessage = {
      text: `[${label}] Waybill: ${rule.title}: ${status === 'firing' ? finding.message : `back to normal (${finding.message})`}${config.dashboardUrl ? ` <${config.dashboardUrl}>` : ''}`,
      status,
      rule: rule.name,
      title: rule.title,
      threshold: rule.threshold,
      value: finding.value,
      message: finding.message,
      since: new Date(since).toISOString(),
      at: new Date(now).toISOString(),
      ...(config.dashboardUrl && { dashboard: config.dashboardUrl }),
    };
    try {
      await post(config.webhook, body);
      return true;
    } catch (error) {
      log(`alert ${rule.name}: the webhook failed: ${(error as Error).message}`, 'warn');
      return false;
    }
  }

  async function step(rule: Rule, before: AlertState | undefined, now: number): Promise<void> {
    const finding = await rule.evaluate(store, now);
    let prev = before ?? null;
    if (prev === null) {
      const initial: AlertState = { rule: rule.name, firing: false, since: now, value: finding.value, message: null, notified: false, notifiedAt: null };
      if (!(await store.moveAlert(null, initial))) return; // another process made it: next round
      prev = initial;
    }
    const windowOver = prev.notifiedAt === null || now - prev.notifiedAt >= rule.windowMs;
    if (finding.firing && (!prev.firing || (!prev.notified && windowOver))) {
      // Fires now, or has fired within the last window unannounced and may be announced now.
      const since = prev.firing ? prev.since : now;
      const next: AlertState = { ...prev, firing: true, since, value: finding.value, message: finding.message, notified: windowOver, notifiedAt: windowOver ? now : prev.notifiedAt };
      if (!(await store.moveAlert(prev, next)) || !windowOver) return;
      if (!(await notify(rule, 'firing', finding, since, now))) await store.moveAlert(next, { ...next, notified: false, notifiedAt: prev.notifiedAt });
    } else if (finding.firing) {
      await store.moveAlert(prev, { ...prev, value: finding.value, message: finding.message });
    } else if (prev.firing) {
      const next: AlertState = { ...prev, firing: false, since: now, value: finding.value, message: null, notified: false };
      if ((await store.moveAlert(prev, next)) && prev.notified) await notify(rule, 'resolved', finding, prev.since, now);
    } else if (finding.value !== prev.value) {
      await store.moveAlert(prev, { ...prev, value: finding.value });
    }
  }

  let running: Promise<void> | undefined;
  async function evaluate(now = Date.now()): Promise<void> {
    const states = new Map((await store.alertStates()).map((s) => [s.rule, s]));
    for (const rule of rules) {
      try {
        await step(rule, states.get(rule.name), now);
      } catch (error) {
        log(`alert ${rule.name}: ${(error as Error).stack ?? error}`, 'error');
      }
    }
  }

  return {
    evaluate,
    lateAfterDays: config?.rules.lateDelivery?.afterDays ?? 5,
    async report() {
      const states = new Map((await store.alertStates()).map((s) => [s.rule, s]));
      return {
        rules: rules.map((rule) => {
          const s = states.get(rule.name);
          return { rule: rule.name, title: rule.title, threshold: rule.threshold, firing: s?.firing ?? false, since: s?.since ?? null, value: s?.value ?? null, message: s?.firing ? s.message : null };
        }),
      };
    },
    start() {
      if (rules.length === 0) return async () => {};
      const run = () => {
        running ??= evaluate().finally(() => (running = undefined));
      };
      run();
      const timer = setInterval(run, intervalMs);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await running;
      };
    },
  };
}

/** POSTs `body` as JSON; fails on a network error or a non-2xx answer. */
async function postJson(url: string, body: AlertMessage): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
}
