/**
 * An ECharts instance bound to a host element for the component's lifetime:
 * created on mount, resized with its host, disposed on unmount; and the look
 * the charts share. Used by the Output tab's metric charts and the Auto Tuning
 * chart.
 */
import { useEffect, useRef, type RefObject } from 'react';
import * as echarts from 'echarts/core';
import { formatMetric } from '../stores/format';

/** A theme colour from the page's CSS variables (light/dark follow the OS). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * Legend, tooltip and value axes in the page's theme colours, for a chart of
 * metric values (y) over whole-numbered steps (x: epochs, trials); each chart
 * adds its axis name and range.
 */
export function chartTheme() {
  const text = cssVar('--text-muted') || '#888';
  const grid = cssVar('--border') || '#ddd';
  const label = { color: text, fontSize: 10 };
  return {
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: text, fontSize: 11 } },
    tooltip: {
      trigger: 'axis' as const,
      className: 'chart-tooltip',
      valueFormatter: (v: unknown) => formatMetric(typeof v === 'number' ? v : null),
    },
    xAxis: {
      type: 'value' as const,
      nameTextStyle: label,
      minInterval: 1,
      // Epochs and trials are whole numbers: the tooltip says 4, not 4.00.
      axisPointer: { label: { precision: 0 } },
      axisLabel: label,
      axisLine: { lineStyle: { color: grid } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value' as const,
      scale: true,
      axisLabel: label,
      splitLine: { lineStyle: { color: grid } },
    },
  };
}

/** The host element ref to render into, and the chart instance (null before mount). */
export function useEChart(): {
  host: RefObject<HTMLDivElement | null>;
  chart: RefObject<echarts.ECharts | null>;
} {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!host.current) return;
    chart.current = echarts.init(host.current, undefined, { renderer: 'canvas' });
    const observer = new ResizeObserver(() => chart.current?.resize());
    observer.observe(host.current);
    return () => {
      observer.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  return { host, chart };
}
