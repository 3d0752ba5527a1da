// Servers the bench runs in child processes: started here, stopped by their pid.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH } from './paths.mjs';

/** Children still running; stopped if the bench exits first (an error, Ctrl-C). */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/**
 * Runs `servers/<name>.mjs <args>` and resolves `{ url, pid, stop() }` once it printed its URL.
 * Its stderr is passed through, so a crash says why.
 */
export function startServer(name, args = []) {
  // BENCH_PROF=<folder>: each server writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, join(BENCH, 'servers', `${name}.mjs`), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  const exited = new Promise((done) => child.once('exit', done)).finally(() => running.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`servers/${name}.mjs exited (${code}) before it listened`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        resolve({
          url: line.trim(),
          pid: child.pid,
          stop: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
}
