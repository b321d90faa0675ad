/** The Auto Tuning chart: each trial's score (points) and the best so far (line), live. */
import { useEffect } from 'react';
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { chartTheme, cssVar, useEChart } from '../use-echart';
import type { ScorePoint } from '../../stores/tuning';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** See the module comment. */
export function TrialChart({ points, metric }: { points: ScorePoint[]; metric: string }) {
  const { host, chart } = useEChart();

  useEffect(() => {
    const theme = chartTheme();
    chart.current?.setOption({
      animation: false,
      color: [cssVar('--chart-val') || '#e07b24', cssVar('--chart-train') || '#2f6fd6'],
      grid: { left: 48, right: 12, top: 28, bottom: 28 },
      legend: theme.legend,
      tooltip: theme.tooltip,
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
    >
      <figcaption>Score per trial</figcaption>
      <div
        className="chart"
        ref={host}
        role="img"
        aria-label={`${points.length} trials of ${metric}, best so far as a line`}
      />
    </figure>
  );
}
