// The alerts configuration (`--alerts <file>`, JSON, or the `alerts` option), checked by ajv
// against the schema below: a rule is on when it is listed.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { badOption } from '../options';
import { describeErrors, type SchemaNode } from '../schema-errors';

/** Alert rules and where they are sent. */
export interface AlertsConfig {
  /** URL that firing and resolved alerts are POSTed to as JSON (Slack's incoming webhooks take it as is). */
  webhook?: string;
  /** How often the rules are evaluated, in seconds. Default 60. */
  intervalSeconds?: number;
  /** Link to the dashboard put in the messages, such as `https://shop.example/dashboard`. */
  dashboardUrl?: string;
  rules: {
    /** Tracking coverage (orders with a browser purchase) below `belowPercent` over `overMinutes` (default 60). */
    coverage?: RuleWindow & { belowPercent: number; overMinutes?: number; graceMinutes?: number; minOrders?: number };
    /** Forwarding dead letters (all destinations) above `above` (default 0). */
    deadLetters?: RuleWindow & { above?: number };
    /** An order shipped but not delivered after `afterDays` (default 5). */
    lateDelivery?: RuleWindow & { afterDays?: number };
    /** No event received for `forMinutes` (default 30). */
    noEvents?: RuleWindow & { forMinutes?: number };
    /** The share of sessions that denied a category rising by more than `jumpPoints` from the day before to the last 24 hours. */
    consentDenied?: RuleWindow & { jumpPoints: number; categories?: string[]; minSessions?: number };
  };
}

/** Common to every rule. */
interface RuleWindow {
  /** A rule notifies at most once per window (in minutes; default 60), and says when it resolves. */
  windowMinutes?: number;
}

const positive = (what: string) => ({ description: `a positive number (${what})`, type: 'number', exclusiveMinimum: 0 });
const atLeast0 = (what: string) => ({ description: `a number of at least 0 (${what})`, type: 'number', minimum: 0 });
const rule = (description: string, properties: Record<string, unknown>, required: string[] = []) => ({
  description,
  type: 'object',
  required,
  properties: { windowMinutes: positive('minutes: the rule notifies at most once per window'), ...properties },
  additionalProperties: false,
});

const SCHEMA = {
  $id: 'urn:waybill:alerts-config',
  description: 'an object {"webhook"?, "intervalSeconds"?, "dashboardUrl"?, "rules": {...}}',
  type: 'object',
  required: ['rules'],
  properties: {
    webhook: { description: 'an http(s) URL', type: 'string', pattern: '^https?://' },
    intervalSeconds: positive('seconds between evaluations'),
    dashboardUrl: { description: 'an http(s) URL', type: 'string', pattern: '^https?://' },
    rules: {
      description: 'an object of rules: coverage, deadLetters, lateDelivery, noEvents, consentDenied',
      type: 'object',
      properties: {
        coverage: rule('a rule {"belowPercent", "overMinutes"?, "graceMinutes"?, "minOrders"?}', {
          belowPercent: { description: 'a percentage from 0 to 100', type: 'number', minimum: 0, maximum: 100 },
          overMinutes: positive('minutes the coverage is measured over'),
          graceMinutes: atLeast0('minutes left for browser purchases to arrive'),
          minOrders: atLeast0('orders below which the rule does not judge'),
        }, ['belowPercent']),
        deadLetters: rule('a rule {"above"?}', { above: atLeast0('dead letters allowed') }),
        lateDelivery: rule('a rule {"afterDays"?}', { afterDays: positive('days after shipping') }),
        noEvents: rule('a rule {"forMinutes"?}', { forMinutes: positive('minutes without events') }),
        consentDenied: rule('a rule {"jumpPoints", "categories"?, "minSessions"?}', {
          jumpPoints: positive('percentage points'),
          categories: { description: 'an array of consent categories', type: 'array', items: { type: 'string' } },
          minSessions: atLeast0('sessions a day needs for the rule to judge'),
        }, ['jumpPoints']),
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

const validate = new Ajv2020({ allErrors: true, strictTypes: false }).compile(SCHEMA);

/** Checks an alerts configuration. @throws TypeError (code ERR_INVALID_ARG_VALUE) naming what is wrong. */
export function checkAlertsConfig(value: unknown, origin = 'alerts'): AlertsConfig {
  if (validate(value)) return value as unknown as AlertsConfig;
  throw badOption(`${origin}: ${describeErrors(validate.errors, SCHEMA as unknown as SchemaNode, {}, 'config')}`);
}

/** Reads and checks an alerts configuration file (JSON). */
export function readAlertsConfig(file: string): AlertsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw badOption(`cannot read the alerts file ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badOption(`the alerts file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return checkAlertsConfig(value, file);
}
