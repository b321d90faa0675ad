/** "My modules": the project's custom modules, to edit or delete. */
import { observer } from 'mobx-react-lite';
import { useWorkbench } from '../context';

function ModuleListView() {
  const wb = useWorkbench();
  const store = wb.customModules;
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && store.closeList()}>
      <div
        className="modal modal-wide"
        role="dialog"
        aria-modal="true"
        aria-labelledby="mylist-title"
        onKeyDown={(e) => e.key === 'Escape' && store.closeList()}
      >
        <h2 id="mylist-title">My modules</h2>
        {store.modules.length === 0 ? (
          <p className="muted">This project has no custom module yet: use New module.</p>
        ) : (
          <ul className="my-list" aria-label="Custom modules">
            {store.modules.map((m) => {
              const users = wb.graph.nodes.filter((n) => n.type === m.id).length;
              return (
                <li key={m.id}>
                  <div>
                    <div>
                      {m.title} <span className="tag-my">My</span>
                      {!m.trusted && <span className="tag-warn">not trusted</span>}
                    </div>
                    <div className="panel-head-sub">
                      <span className="mono">{m.id}</span> · {m.category}
                      {users ? ` · used by ${users} node${users === 1 ? '' : 's'}` : ''}
                    </div>
                  </div>
                  <div className="my-list-actions">
                    <button type="button" className="btn btn-small" onClick={() => store.edit(m.id)}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger-outline"
                      disabled={users > 0}
                      aria-label={`Delete ${m.title}`}
                      title={users ? 'Remove the nodes that use it first' : 'Delete'}
                      onClick={() => {
                        if (window.confirm(`Delete the module "${m.title}"?`)) void store.remove(m.id);
                      }}
                    >
                      Delete
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={() => store.closeList()}>
            Close
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              store.closeList();
              store.openWizard();
            }}
          >
            New module
          </button>
        </div>
      </div>
    </div>
  );
}

/** See the module comment. */
export const ModuleList = observer(ModuleListView);
