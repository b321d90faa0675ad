/** The right (Parameter, View) and bottom (Files, Output, Logs) panels with accessible tabs. */
import { observer } from 'mobx-react-lite';
import type { ReactNode } from 'react';
import { useWorkbench } from './context';
import { FilesTab } from './FilesTab';
import { Icon, type IconName } from './icons';
import { LogsTab } from './LogsTab';
import { OutputTab } from './OutputTab';
import { ParameterTab } from './ParameterTab';
import { TuningTab } from './tuning/TuningTab';
import { ViewTab } from './ViewTab';

interface TabSpec<T extends string> {
  id: T;
  title: string;
  icon: IconName;
  badge?: number;
}

function Tabs<T extends string>({
  label,
  tabs,
  active,
  onSelect,
  children,
}: {
  label: string;
  tabs: TabSpec<T>[];
  active: T;
  onSelect(id: T): void;
  children: ReactNode;
}) {
  return (
    <>
      <div
        className="tabs"
        role="tablist"
        aria-label={label}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
          const at = tabs.findIndex((t) => t.id === active);
          const next = tabs[(at + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
          onSelect(next.id);
          (e.currentTarget.querySelector(`#tab-${next.id}`) as HTMLElement | null)?.focus();
        }}
      >
        {tabs.map((tab) => (
          <button
            key={tab.id}
            id={`tab-${tab.id}`}
            type="button"
            role="tab"
            aria-selected={tab.id === active}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === active ? 0 : -1}
            className={`tab${tab.id === active ? ' active' : ''}`}
            onClick={() => onSelect(tab.id)}
          >
            <Icon name={tab.icon} size={14} />
            {tab.title}
            {tab.badge ? (
              <span className="badge" aria-label={`${tab.badge} new errors`}>
                {tab.badge}
              </span>
            ) : null}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" id={`panel-${active}`} aria-labelledby={`tab-${active}`}>
        {children}
      </div>
    </>
  );
}

function RightPanelView() {
  const wb = useWorkbench();
  return (
    <aside className="right-panel" aria-label="Inspector">
      <Tabs
        label="Inspector"
        tabs={[
          { id: 'parameter', title: 'Parameter', icon: 'sliders' },
          { id: 'view', title: 'View', icon: 'image' },
        ]}
        active={wb.rightTab}
        onSelect={(t) => wb.setRightTab(t)}
      >
        {wb.rightTab === 'parameter' ? <ParameterTab /> : <ViewTab />}
      </Tabs>
    </aside>
  );
}

function BottomPanelView() {
  const wb = useWorkbench();
  const tabs: TabSpec<'files' | 'output' | 'tuning' | 'logs'>[] = [
    { id: 'files', title: 'Files', icon: 'table' },
  ];
  // Output and Auto Tuning appear for pipelines with a Neural Network module (they are about its training).
  if (wb.networkNodes.length > 0) {
    tabs.push({ id: 'output', title: 'Output', icon: 'chart' });
    tabs.push({ id: 'tuning', title: 'Auto Tuning', icon: 'sliders' });
  }
  tabs.push({ id: 'logs', title: 'Logs', icon: 'terminal', badge: wb.logs.unseenErrors });
  const active = tabs.some((t) => t.id === wb.bottomTab) ? wb.bottomTab : 'files';
  return (
    <section className="bottom-panel" aria-label="Results">
      <Tabs label="Results" tabs={tabs} active={active} onSelect={(t) => wb.setBottomTab(t)}>
        {active === 'files' ? (
          <FilesTab />
        ) : active === 'output' ? (
          <OutputTab />
        ) : active === 'tuning' ? (
          <TuningTab />
        ) : (
          <LogsTab />
        )}
      </Tabs>
    </section>
  );
}

/** The right panel. */
export const RightPanel = observer(RightPanelView);
/** The bottom panel. */
export const BottomPanel = observer(BottomPanelView);
