/** How much a log line matters: `info` per request, `warn` for a setup mistake, `error` for a 5xx or a bug. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Where the collector writes its log lines. */
export type Log = (line: string, level: LogLevel) => void;
