/** The Logs tab: engine log and error events, bounded so a long run cannot fill memory. */
import { action, makeObservable, observable, observableShallow } from 'mobx';

/** One line of the Logs tab. */
export interface LogLine {
  seq: number;
  time: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  node?: string;
}

/** Keeps the newest `limit` lines. */
export class LogsStore {
  lines: LogLine[] = [];
  /** Errors not yet seen: a badge on the Logs tab. */
  unseenErrors = 0;
  private seq = 0;

  constructor(private readonly limit = 2000) {
    makeObservable(this, {
      lines: observableShallow,
      unseenErrors: observable,
      add: action,
      markSeen: action,
      clear: action,
    });
  }

  /** Appends a line, dropping the oldest beyond the limit. */
  add(level: LogLine['level'], message: string, node?: string): void {
    this.lines.push({ seq: ++this.seq, time: Date.now(), level, message, node });
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
    if (level === 'error') this.unseenErrors++;
  }

  markSeen(): void {
    this.unseenErrors = 0;
  }

  clear(): void {
    this.lines.splice(0, this.lines.length);
    this.unseenErrors = 0;
  }
}
