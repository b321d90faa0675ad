/** A Workbench on its own wire connection to an engine in this process, as one more front end. */
import type { WireFromEngine } from '../../src/engine/api';
import { createWireClient } from '../../src/engine/api/wire/client';
import { openConnection } from '../../src/engine/api/wire/connection';
import { dispatch } from '../../src/engine/service/dispatch';
import type { Engine } from '../../src/engine/service/engine';
import { Workbench } from '../../src/renderer/stores/workbench';

/** The workbench and what closes its connection (dispose the workbench first). */
export function inProcessWorkbench(engine: Engine): { workbench: Workbench; close: () => void } {
  let toClient: (message: WireFromEngine) => void = () => {};
  const connection = openConnection(
    (method, params, signal) => dispatch(engine, method, params, signal),
    (listener) => engine.onDidEmit(listener),
    { send: (message) => queueMicrotask(() => toClient(structuredClone(message))) },
  );
  const workbench = new Workbench(
    createWireClient({
      send: (message) => connection.receive(structuredClone(message)),
      onMessage: (handler) => (toClient = handler),
    }),
  );
  return {
    workbench,
    close: () => {
      workbench.dispose();
      connection.close();
    },
  };
}
