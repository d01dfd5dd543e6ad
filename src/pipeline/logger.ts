import { pino, type Logger } from 'pino';

/** JSON logs on stderr; pretty lines only when stderr is a terminal. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
}
