/**
 * The projects this user opened or created last, newest first, in a JSON file
 * of the per-user config folder (beside the trust list). Kept by the engine,
 * not the page, so the list is the same in the desktop window and in any
 * browser on `phi serve`, whatever port the server runs on.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '../api';
import { configDir } from '../custom/trust-list';

const FILE_NAME = 'recent-projects.json';
/** Projects kept in the list. */
export const RECENT_LIMIT = 8;

const RecentFileSchema = z.object({
  version: z.literal(1),
  projects: z.array(z.object({ path: z.string(), openedAt: z.string() })),
});

/** See the module comment. */
export class RecentProjects {
  readonly file: string;

  constructor(file?: string) {
    this.file = file ?? join(configDir(), FILE_NAME);
  }

  /** The list, newest first; projects whose file is gone are left out. */
  list(): RecentProject[] {
    return this.read().filter((p) => existsSync(p.path));
  }

  /** Puts a project first (opened or created now). */
  add(path: string, at = new Date()): void {
    const rest = this.read().filter((p) => p.path !== path);
    this.write([{ path, openedAt: at.toISOString() }, ...rest].slice(0, RECENT_LIMIT));
  }

  private read(): RecentProject[] {
    try {
      const parsed = RecentFileSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data.projects : [];
    } catch {
      // No file yet, or an unreadable one: start a new list.
      return [];
    }
  }

  private write(projects: RecentProject[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, projects }, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
