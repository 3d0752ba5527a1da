// GET /dashboard: the page a marketer keeps open, and how a browser signs in to it. The admin
// token is typed once into a sign-in form; the collector answers with an HttpOnly cookie that
// is not the token but a signature of an expiry made with it: it works for reads only
// (GET /dashboard, GET /v1/stats/...), lapses after 14 days, and dies when the token changes.
// Admin writes (POST /forwarding/retry, DELETE /users/...) still need the token itself as a header,
// so a page on another site can make the browser neither read nor change anything.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { packageFile } from '../files';
import { fail } from '../reply';
import { keyChecker } from './server-events';

const COOKIE = 'waybill_dashboard';
const SESSION_S = 14 * 24 * 3600;

/** What the dashboard's pages may load: their own scripts, styles and API, nothing inline, nothing else. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': CSP,
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** The files under /dashboard/assets/: the page's own, and uPlot's, served from the collector (offline too). */
const ASSETS: Record<string, { path: string; type: string }> = {
  'dashboard.js': { path: packageFile('dashboard/dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { path: packageFile('dashboard/dashboard.css'), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { path: 'uplot/dist/uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { path: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
};
const resolveAsset = (path: string) => (path.startsWith('/') ? path : packageFileOf(path));
/** A file of an installed package (uplot), wherever the package manager put it. */
const packageFileOf = (path: string) => new URL(import.meta.resolve(path)).pathname;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A session cookie's value: an expiry and its signature with the admin token. */
function sign(token: string, expires: number): string {
  const mac = createHmac('sha256', token).update(`waybill dashboard session ${expires}`).digest('base64url');
  return `${expires}.${mac}`;
}

function validSession(token: string, value: string | undefined, now: number): boolean {
  const m = /^(\d{1,12})\.([\w-]{43})$/.exec(value ?? '');
  if (!m || Number(m[1]) * 1000 <= now) return false;
  const expected = Buffer.from(sign(token, Number(m[1])));
  const given = Buffer.from(value!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const cookieOf = (c: Context<Env>, name: string): string | undefined => {
  for (const part of (c.req.header('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
};

/** Whether the request came over HTTPS (directly, or through a proxy that says so, with trustProxy). */
const isHttps = (c: Context<Env>, trustProxy: boolean) =>
  new URL(c.req.url).protocol === 'https:' || (trustProxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https');

/** What the dashboard needs from the collector. */
export interface DashboardDeps {
  adminToken: string | undefined;
  basePath: string;
  trustProxy: boolean;
}

/**
 * Guards the read routes of the dashboard: without an admin token, open (as `/events` is); with
 * one, the token as a bearer header, or a signed-in browser's cookie on GET and HEAD.
 */
export function dashboardAuth({ adminToken }: DashboardDeps): { allowed(c: Context<Env>): boolean; guard: MiddlewareHandler<Env> } {
  if (adminToken === undefined) return { allowed: () => true, guard: (_, next) => next() };
  const isToken = keyChecker([adminToken]);
  const bearer = (c: Context<Env>) => /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')?.[1];
  const allowed = (c: Context<Env>) => {
    const token = bearer(c);
    if (token !== undefined) return isToken(token);
    return (c.req.method === 'GET' || c.req.method === 'HEAD') && validSession(adminToken, cookieOf(c, COOKIE), Date.now());
  };
  return {
    allowed,
    guard: (c, next) =>
      allowed(c)
        ? next()
        : Promise.resolve(
            fail(c, 401, bearer(c) === undefined ? 'this needs the admin token: send Authorization: Bearer <token>, or sign in at /dashboard' : 'wrong admin token', {
              'WWW-Authenticate': 'Bearer realm="waybill"',
            }),
          ),
  };
}

export function dashboardRoutes(app: Hono<Env>, deps: DashboardDeps): void {
  const { adminToken, basePath } = deps;
  const auth = dashboardAuth(deps);
  const isToken = keyChecker(adminToken === undefined ? [] : [adminToken]);
  const template = (file: string) => readFileSync(packageFile(`dashboard/${file}`), 'utf8');
  const page = template('index.html').replaceAll('{{base}}', escape(basePath)).replace('{{logout}}', adminToken === undefined ? 'hidden' : '');
  const login = template('login.html').replaceAll('{{base}}', escape(basePath));
  // The sign-in page is a page like any other (200): an error status would only put errors in the browser's console.
  const loginPage = (status: 200, error = '') => new Response(login.replace('{{error}}', escape(error)), { status, headers: PAGE_HEADERS });
  const assets = new Map(Object.entries(ASSETS).map(([name, a]) => [name, { body: readFileSync(resolveAsset(a.path)), type: a.type }]));
  const cookie = (c: Context<Env>, value: string, maxAge: number) =>
    `${COOKIE}=${value}; Path=${basePath || '/'}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${isHttps(c, deps.trustProxy) ? '; Secure' : ''}`;

  app.get('/dashboard', (c) => (auth.allowed(c) ? new Response(page, { headers: PAGE_HEADERS }) : loginPage(200)));
  app.get('/dashboard/', (c) => c.redirect(`${basePath}/dashboard`, 301));

  app.post('/dashboard/login', async (c) => {
    if (adminToken === undefined) return c.redirect(`${basePath}/dashboard`, 303);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const given = typeof form.token === 'string' ? form.token.trim() : '';
    if (!isToken(given)) return loginPage(200, given === '' ? 'Type the admin token.' : 'Wrong token.');
    const expires = Math.floor(Date.now() / 1000) + SESSION_S;
    return new Response(null, { status: 303, headers: { Location: `${basePath}/dashboard`, 'Set-Cookie': cookie(c, sign(adminToken, expires), SESSION_S), 'Cache-Control': 'no-store' } });
  });

  app.post('/dashboard/logout', (c) =>
    new Response(null, { status: 303, headers: { Location: `${basePath}/dashboard`, 'Set-Cookie': cookie(c, '', 0), 'Cache-Control': 'no-store' } }),
  );

  app.get('/dashboard/assets/:file', (c) => {
    const asset = assets.get(c.req.param('file'));
    if (!asset) return fail(c, 404, 'not found');
    return new Response(asset.body, { headers: { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff' } });
  });
  app.all('/dashboard', (c) => fail(c, 405, `${c.req.method} is not allowed on ${c.req.path}`, { Allow: 'GET, HEAD' }));
}
