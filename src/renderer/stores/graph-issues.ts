/**
 * The graph's problems as the engine validates them: the whole list, and per
 * node its first error and its warnings. Per-key updates keep node re-renders
 * local (a node re-renders only when its own message changes).
 */
import { action, makeObservable, observable, observableRef } from 'mobx';
import type { GraphIssue } from '../../engine/api';

/** The engine's latest validation of the graph. */
export class GraphIssuesStore {
  issues: GraphIssue[] = [];
  private readonly errors = observable.map<string, string>();
  private readonly warnings = observable.map<string, string[]>();

  constructor() {
    makeObservable(this, { issues: observableRef, adopt: action });
  }

  /** Takes the engine's list of problems (it replaces the previous one). */
  adopt(all: GraphIssue[]): void {
    this.issues = all;
    const errors = new Map<string, string>();
    for (const issue of all)
      if (issue.node && issue.severity === 'error' && !errors.has(issue.node))
        errors.set(issue.node, issue.message);
    for (const id of [...this.errors.keys()]) if (!errors.has(id)) this.errors.delete(id);
    for (const [id, message] of errors) if (this.errors.get(id) !== message) this.errors.set(id, message);
    const warnings = new Map<string, string[]>();
    for (const issue of all)
      if (issue.node && issue.severity === 'warning')
        warnings.set(issue.node, [...(warnings.get(issue.node) ?? []), issue.message]);
    for (const id of [...this.warnings.keys()]) if (!warnings.has(id)) this.warnings.delete(id);
    for (const [id, list] of warnings)
      if (this.warnings.get(id)?.join('\n') !== list.join('\n')) this.warnings.set(id, list);
  }

  /** The first validation error of a node, if any. */
  errorOf(id: string): string | undefined {
    return this.errors.get(id);
  }

  /** What the engine warns of at a node (a dataset's skipped files, imbalance...); empty when nothing. */
  warningsOf(id: string): string[] {
    return this.warnings.get(id) ?? [];
  }
}
