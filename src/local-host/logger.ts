/** The host's own log: one line per event, prefixed with its source, filtered by level. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface HostLogger {
  log(level: LogLevel, message: string, source?: string): void;
  debug(message: string, source?: string): void;
  info(message: string, source?: string): void;
  warn(message: string, source?: string): void;
  error(message: string, source?: string): void;
  /** Unfiltered, unprefixed output (the banner). */
  print(text: string): void;
}

export type LogSink = (level: LogLevel | 'print', line: string) => void;

export interface LoggerOptions {
  level?: LogLevel | 'silent';
  sink?: LogSink;
}

const defaultSink: LogSink = (level, line) => {
  const stream = level === 'warn' || level === 'error' ? process.stderr : process.stdout;
  stream.write(line + '\n');
};

export function createLogger(options: LoggerOptions = {}): HostLogger {
  const threshold = options.level === 'silent' ? Number.POSITIVE_INFINITY : rank[options.level ?? 'info'];
  const sink = options.sink ?? defaultSink;
  const log = (level: LogLevel, message: string, source?: string): void => {
    if (rank[level] < threshold) return;
    const time = new Date().toISOString().slice(11, 23);
    const tag = level === 'info' ? '' : ` ${level.toUpperCase()}`;
    sink(level, `[${time}]${tag}${source ? ` [${source}]` : ''} ${message}`);
  };
  return {
    log,
    debug: (m, s) => log('debug', m, s),
    info: (m, s) => log('info', m, s),
    warn: (m, s) => log('warn', m, s),
    error: (m, s) => log('error', m, s),
    print: (text) => {
      if (options.level !== 'silent') sink('print', text);
    },
  };
}

/** Maps the worker's RpcLogLevel names onto the host's levels. */
export function fromWorkerLevel(level: string): LogLevel | undefined {
  switch (level) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'information':
      return 'info';
    case 'warning':
      return 'warn';
    case 'error':
    case 'critical':
      return 'error';
    default:
      return undefined;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
