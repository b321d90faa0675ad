/** The in-process engine the CLI commands use. */
import { describeBackends } from '../nn';
import { Engine, type EngineOptions } from '../service/engine';

/** A fresh engine with the app's cache folder and the built-in node types (and `options`). */
export function createCliEngine(options: EngineOptions = {}): Engine {
  return new Engine({ describeBackends, ...options });
}
