/**
 * An ECharts instance bound to a host element for the component's lifetime:
 * created on mount, resized with its host, disposed on unmount. Shared by the
 * Output tab's metric charts and the Auto Tuning chart.
 */
import { useEffect, useRef, type RefObject } from 'react';
import * as echarts from 'echarts/core';

/** A theme colour from the page's CSS variables (light/dark follow the OS). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
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
