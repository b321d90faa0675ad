/** The tabs of the right and bottom panels, and the item the View tab is asked to show. */
import { action, makeObservable, observable, observableRef } from 'mobx';
import type { LogsStore } from './logs-store';
import type { SelectionStore } from './selection';

/** Tabs of the right panel. */
export type RightTab = 'parameter' | 'view';
/** Tabs of the bottom panel. */
export type BottomTab = 'files' | 'output' | 'tuning' | 'logs';

/** Which tab each panel shows. */
export class PanelsStore {
  rightTab: RightTab = 'parameter';
  bottomTab: BottomTab = 'files';
  /** The item the View tab is asked to show (it shows the first item otherwise). */
  viewItem: { node: string; sampleId: string } | null = null;

  constructor(
    private readonly selection: SelectionStore,
    private readonly logs: LogsStore,
  ) {
    makeObservable(this, {
      rightTab: observable,
      bottomTab: observable,
      viewItem: observableRef,
      setRightTab: action,
      setBottomTab: action,
      openInView: action,
    });
  }

  setRightTab(tab: RightTab): void {
    this.rightTab = tab;
  }

  /** Opening the Logs tab marks its errors seen. */
  setBottomTab(tab: BottomTab): void {
    this.bottomTab = tab;
    if (tab === 'logs') this.logs.markSeen();
  }

  /** Shows one item of a node in the View tab (the error gallery's click): selects the node, opens the tab. */
  openInView(node: string, sampleId: string): void {
    this.selection.setNodes([node]);
    this.viewItem = { node, sampleId };
    this.rightTab = 'view';
  }
}
