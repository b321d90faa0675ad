/** The in-process engine the CLI commands use. */
import { describeBackends } from '../nn';
import { Engine } from '../service/engine';

/** A fresh engine with the app's cache folder and the built-in node types. */
export function createCliEngine(): Engine {
  return new Engine({ describeBackends });
}
