/** The Logs tab: engine messages, newest at the bottom, filtered by level. */
import { useEffect, useRef, useState } from 'react';
import { observer } from 'mobx-react-lite';
import { useWorkbench } from './context';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function LogsTabView() {
  const wb = useWorkbench();
  const [min, setMin] = useState<(typeof LEVELS)[number]>('info');
  const list = useRef<HTMLDivElement>(null);
  const lines = wb.logs.lines.filter((l) => LEVELS.indexOf(l.level) >= LEVELS.indexOf(min));
  const last = lines.at(-1)?.seq;
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [last]);
  return (
    <div className="logs">
      <div className="tab-toolbar">
        <label className="inline-field">
          Show
          <select
            value={min}
            onChange={(e) => setMin(e.target.value as typeof min)}
            aria-label="Minimum log level"
          >
            <option value="debug">everything</option>
            <option value="info">info and above</option>
            <option value="warn">warnings and errors</option>
            <option value="error">errors only</option>
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={() => wb.logs.clear()}>
          Clear
        </button>
      </div>
      <div className="log-list" ref={list} role="log" aria-label="Engine log">
        {lines.length === 0 && <div className="empty">No messages.</div>}
        {lines.map((line) => (
          <div key={line.seq} className={`log-line log-${line.level}`}>
            <span className="log-time mono">{new Date(line.time).toLocaleTimeString()}</span>
            <span className="log-level">{line.level}</span>
            {line.node && <span className="log-node mono">{line.node}</span>}
            <span className="log-message">{line.message}</span>
          </div>
        ))}
      </div>
    </div>
  );
}

/** See the module comment. */
export const LogsTab = observer(LogsTabView);
