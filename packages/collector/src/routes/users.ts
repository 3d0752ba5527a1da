// DELETE /users/{id} (admin): erasure, the GDPR/CCPA deletion path.
import type { Hono } from 'hono';
import type { Env } from '../env';
import { fail, reply } from '../reply';
import type { Store } from '../store/store';

/** Longest id a person can have: a user id (256 characters; anonymous ids are at most 128). */
const MAX_ID_LENGTH = 256;

/**
 * `DELETE /users/{id}`: deletes that person's events (as user id or anonymous id, see
 * `Store.eraseUser`) and their outbox rows; answers `{"events": n, "outbox": m}`. The admin token
 * guards it (app.ts); without one configured it refuses: an open erasure route would let anyone
 * who can reach the collector delete any shopper's data.
 */
export function userRoutes(app: Hono<Env>, deps: { store: Store; canErase: boolean }): void {
  app.delete('/users/:id', async (c) => {
    if (!deps.canErase) {
      return fail(c, 403, 'erasure needs an admin token: start the collector with WAYBILL_ADMIN_TOKEN (adminToken in code)');
    }
    const id = c.req.param('id');
    if (id.length > MAX_ID_LENGTH) return fail(c, 400, `the id must be at most ${MAX_ID_LENGTH} characters (a user id or an anonymous id)`);
    return reply(c, 200, await deps.store.eraseUser(id));
  });
}
