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
import { chartTheme, cssVar, useEChart } from './use-echart';
import type { MetricPoint } from '../stores/metrics-store';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

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
    const theme = chartTheme();
    chart.current?.setOption(
      {
        animation: false,
        color: [cssVar('--chart-train') || '#2f6fd6', cssVar('--chart-val') || '#e07b24'],
        grid: { left: 44, right: 12, top: 28, bottom: 24 },
        legend: theme.legend,
        tooltip: theme.tooltip,
        xAxis: { ...theme.xAxis, name: 'epoch', nameLocation: 'end', min: 'dataMin', max: 'dataMax' },
        yAxis: theme.yAxis,
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
