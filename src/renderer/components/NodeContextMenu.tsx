/** The node context menu: Run, Step forward, Copy, Delete, with their shortcuts; Export model… on a network node. */
import { useEffect, useRef } from 'react';
import { observer } from 'mobx-react-lite';
import { useWorkbench } from './context';
import { Icon, type IconName } from './icons';
import { shortcutLabel, type ShortcutCommand } from './shortcuts';
import { showExportDialog } from './export/export-dialog';

interface Item {
  label: string;
  icon: IconName;
  command?: ShortcutCommand;
  disabled?: boolean;
  act(): void;
}

function NodeContextMenuView({
  x,
  y,
  nodeId,
  onClose,
}: {
  x: number;
  y: number;
  nodeId: string;
  onClose(): void;
}) {
  const wb = useWorkbench();
  const menu = useRef<HTMLDivElement>(null);
  const node = wb.graph.nodes.find((n) => n.id === nodeId);

  useEffect(() => {
    menu.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    const onDown = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as globalThis.Node)) onClose();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onDown);
    };
  }, [onClose]);

  if (!node) return null;
  const items: Item[] = [
    {
      label: 'Run',
      icon: 'play',
      command: 'runNode',
      disabled: wb.running,
      act: () => void wb.runNode(nodeId),
    },
    {
      label: 'Step forward',
      icon: 'step',
      command: 'stepForward',
      disabled: wb.running,
      act: () => void wb.stepForward(nodeId),
    },
    { label: 'Copy', icon: 'copy', command: 'copy', act: () => wb.copy() },
    { label: 'Delete', icon: 'trash', command: 'delete', act: () => void wb.deleteSelection() },
    ...(node.kind === 'network'
      ? [
          {
            label: 'Export model…',
            icon: 'folder' as const,
            disabled: wb.status.get(nodeId)?.state !== 'done',
            act: () => showExportDialog(nodeId),
          },
        ]
      : []),
  ];
  return (
    <div
      ref={menu}
      className="menu context-menu"
      role="menu"
      aria-label={`Actions for ${node.label || node.id}`}
      style={{ left: x, top: y }}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
        e.preventDefault();
        const buttons = [
          ...(menu.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? []),
        ];
        const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
        buttons[(at + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
      }}
    >
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          className="menu-item"
          disabled={item.disabled}
          onClick={() => {
            onClose();
            item.act();
          }}
        >
          <Icon name={item.icon} size={14} />
          <span className="menu-label">{item.label}</span>
          <kbd>{item.command && shortcutLabel(item.command)}</kbd>
        </button>
      ))}
    </div>
  );
}

/** See the module comment. */
export const NodeContextMenu = observer(NodeContextMenuView);
