/**
 * One metric's chart: train and validation series over epochs, with an axis
 * tooltip giving the exact values. ECharts is loaded piecewise (line chart,
 * grid, tooltip, legend, canvas) to keep the bundle small.
 */
import { useEffect } from 'react';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { cssVar, useEChart } from './use-echart';
import type { MetricPoint } from '../stores/metrics-store';
import { formatMetric } from '../stores/format';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** Reads a CSS custom property of the document (theme colours). */

/** See the module comment. */
export function MetricChart({
  title,
  train,
  validation,
}: {
  title: string;
  train: MetricPoint[];
  validation: MetricPoint[];
}) {
  const { host, chart } = useEChart();

  useEffect(() => {
    const text = cssVar('--text-muted') || '#888';
    const grid = cssVar('--border') || '#ddd';
    chart.current?.setOption(
      {
        animation: false,
        color: [cssVar('--chart-train') || '#2f6fd6', cssVar('--chart-val') || '#e07b24'],
        grid: { left: 44, right: 12, top: 28, bottom: 24 },
        legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: text, fontSize: 11 } },
        tooltip: {
          trigger: 'axis',
          valueFormatter: (v: unknown) => formatMetric(typeof v === 'number' ? v : null),
        },
        xAxis: {
          type: 'value',
          name: 'epoch',
          nameLocation: 'end',
          nameTextStyle: { color: text, fontSize: 10 },
          minInterval: 1,
          min: 'dataMin',
          max: 'dataMax',
          axisLabel: { color: text, fontSize: 10 },
          axisLine: { lineStyle: { color: grid } },
          splitLine: { show: false },
        },
        yAxis: {
          type: 'value',
          scale: true,
          axisLabel: { color: text, fontSize: 10 },
          splitLine: { lineStyle: { color: grid } },
        },
        series: [
          {
            name: 'train',
            type: 'line',
            showSymbol: true,
            symbolSize: 5,
            data: train.map((p) => [p.epoch, p.value]),
            connectNulls: false,
          },
          {
            name: 'validation',
            type: 'line',
            showSymbol: true,
            symbolSize: 5,
            data: validation.map((p) => [p.epoch, p.value]),
            connectNulls: false,
          },
        ],
      },
      { notMerge: false },
    );
  }, [train, validation]);

  return (
    <figure
      className="chart-card"
      data-testid={`chart-${title}`}
      data-points={train.length + validation.length}
    >
      <figcaption>{title}</figcaption>
      <div
        className="chart"
        ref={host}
        role="img"
        aria-label={`${title}: ${train.length} training and ${validation.length} validation points`}
      />
    </figure>
  );
}
