import { open, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sendError } from './http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

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
  if (isAbsolute(rel) || rel.split(sep).some((part) => part.startsWith('.'))) return false;
  return true;
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
 * Serves GET/HEAD of a file under `root` (a real, absolute path). The file is streamed, so its
 * size costs no memory; if it cannot be read to the announced length, the connection is cut
 * so that the client sees a failure, not a short file.
 */
export async function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = await resolveStatic(root, pathname);
  // the size comes from the opened file, so it is the size of what is sent
  const file = path === undefined ? undefined : await open(path).catch(() => undefined);
  const stats = await file?.stat().catch(() => undefined);
  if (!file || !stats) {
    await file?.close();
    return sendError(res, 404, 'not found');
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(path!).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': stats.size,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD' || stats.size === 0) {
    await file.close();
    return void res.end();
  }
  const stream = file.createReadStream({ end: stats.size - 1 }); // closes the file when done
  stream.on('end', () => {
    // the file shrank while it was being sent: cut the connection rather than end a short answer
    if (stream.bytesRead !== stats.size) res.destroy();
  });
  try {
    await pipeline(stream, res);
  } catch (error) {
    // the client went away: nothing to report
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw error;
  }
}
