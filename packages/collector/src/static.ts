// Static files for the paths the collector does not own (the demo shop, a small site). Hono's
// serveStatic neither refuses dotfiles nor checks where a symlink leads, and a file that shrinks
// while it is sent would end a short answer as if complete: this module keeps those three rules
// and borrows the rest (content types, HEAD, streaming into the Response).
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { getMimeType } from 'hono/utils/mime';

const isFile = async (path: string): Promise<boolean> => {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
};

/** Whether `path` is inside `root` and names no dotfile or dot-folder (`.env`, `.git/`) on the way. */
function servable(root: string, path: string): boolean {
  const rel = relative(root, path);
  if (rel === '') return true;
  return !isAbsolute(rel) && !rel.split(sep).some((part) => part.startsWith('.'));
}

/** The real path of `path` if it is a servable file under `root`, else `undefined`. */
async function realFile(root: string, path: string): Promise<string | undefined> {
  if (!servable(root, path)) return undefined;
  try {
    // a symlink may point anywhere: check where it really leads
    const real = await realpath(path);
    return servable(root, real) ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Maps a URL path to a file under `root` (a real path, without symlinks), or `undefined`
 * when there is none or it would leave `root`. The path is decoded first, so `%2e%2e` and
 * `%2f` cannot sneak past the check. Dotfiles, dot-folders and symlinks out of `root` are
 * not served.
 */
export async function resolveStatic(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const target = await realFile(root, resolve(root, '.' + sep + decoded));
  if (target === undefined) return undefined;
  if (await isFile(target)) return target;
  const index = await realFile(root, join(target, 'index.html'));
  return index !== undefined && (await isFile(index)) ? index : undefined;
}

/**
 * The answer for GET/HEAD of `path` (a real file path from {@link resolveStatic}), or `undefined`
 * if it cannot be opened. The file streams from disk, so its size costs no memory. If it cannot be
 * read to the announced length, the connection must be cut, so that the client sees a failure,
 * not a short file: `cut` does it where it can (on Node) and says so; otherwise the body errors,
 * which makes the host cut it.
 */
export async function serveFile(path: string, method: string, cut: () => boolean): Promise<Response | undefined> {
  // the size comes from the opened file, so it is the size of what is sent
  const file = await open(path).catch(() => undefined);
  const stats = await file?.stat().catch(() => undefined);
  if (!file || !stats) {
    await file?.close();
    return undefined;
  }
  const headers = {
    'Content-Type': getMimeType(path) ?? 'application/octet-stream',
    'Content-Length': String(stats.size),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  if (method === 'HEAD' || stats.size === 0) {
    await file.close();
    return new Response(null, { headers });
  }
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { bytesRead, buffer } = await file.read({ buffer: new Uint8Array(Math.min(64 * 1024, stats.size - sent)) });
      if (bytesRead === 0) {
        if (!cut()) controller.error(new Error(`${path} shrank while it was sent`));
        return;
      }
      sent += bytesRead;
      controller.enqueue(buffer.subarray(0, bytesRead));
      if (sent === stats.size) {
        controller.close();
        await file.close();
      }
    },
    cancel: () => file.close(),
  });
  return new Response(body, { headers });
}
