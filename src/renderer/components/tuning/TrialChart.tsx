/**
 * The Auto Tuning chart: each trial's score (points) and the best so far
 * (line), live; a failed trial is a red cross on the floor of the chart, its
 * reason in the tooltip, never dropped.
 */
import { useEffect } from 'react';
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { chartTheme, cssVar, useEChart } from '../use-echart';
import { formatMetric } from '../../stores/format';
import type { ScorePoint } from '../../stores/tuning';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** See the module comment. */
export function TrialChart({ points, metric }: { points: ScorePoint[]; metric: string }) {
  const { host, chart } = useEChart();

  useEffect(() => {
    const theme = chartTheme();
    const scores = points.map((p) => p.score).filter((s): s is number => s !== null);
    const floor = scores.length > 0 ? Math.min(...scores) : 0;
    chart.current?.setOption({
      animation: false,
      color: [cssVar('--chart-val') || '#e07b24', cssVar('--chart-train') || '#2f6fd6'],
      grid: { left: 48, right: 12, top: 28, bottom: 28 },
      legend: theme.legend,
      tooltip: {
        ...theme.tooltip,
        formatter: (items: unknown) => {
          const first = (Array.isArray(items) ? items[0] : items) as { axisValue?: number; data?: number[] };
          const point = points[Number(first?.axisValue ?? first?.data?.[0]) - 1];
          if (!point) return '';
          return point.status === 'done'
            ? `Trial ${point.trial} (generation ${point.generation}): ${formatMetric(point.score)}, best so far ${formatMetric(point.best)}`
            : `Trial ${point.trial} (generation ${point.generation}) ${point.status}: ${point.message ?? 'no reason given'}`;
        },
      },
      xAxis: { ...theme.xAxis, name: 'trial', min: 1, max: Math.max(2, points.length) },
      yAxis: theme.yAxis,
      series: [
        {
          name: `${metric} per trial`,
          type: 'scatter',
          symbolSize: 7,
          data: points.map((p) => [p.trial, p.score]),
        },
        {
          name: 'failed trial',
          type: 'scatter',
          symbol: 'path://M0,0L10,10M10,0L0,10',
          symbolSize: 9,
          itemStyle: { color: 'transparent', borderColor: cssVar('--danger') || '#d33', borderWidth: 2 },
          data: points.filter((p) => p.status !== 'done').map((p) => [p.trial, floor]),
        },
        {
          name: 'best so far',
          type: 'line',
          step: 'end',
          showSymbol: false,
          data: points.map((p) => [p.trial, p.best]),
        },
      ],
    });
  }, [points, metric]);

  return (
    <figure
      className="chart-card tuning-chart"
      data-testid="tuning-chart"
      data-points={points.filter((p) => p.score !== null).length}
      data-failed={points.filter((p) => p.status !== 'done').length}
    >
      <figcaption>Score per trial</figcaption>
      <div
        className="chart"
        ref={host}
        role="img"
        aria-label={`${points.length} trials of ${metric}, best so far as a line${failedText(points)}`}
      />
    </figure>
  );
}

/** The failed trials said in words for the chart's accessible name. */
function failedText(points: ScorePoint[]): string {
  const failed = points.filter((p) => p.status !== 'done');
  return failed.length === 0
    ? ''
    : `; ${failed.length} not finished: ${failed.map((p) => `trial ${p.trial} ${p.status}${p.message ? ` (${p.message})` : ''}`).join('; ')}`;
}
