/**
 * One chart of a study on the unit square: ROC (with the operating point marked),
 * precision-recall, or the reliability diagram, each with its diagonal of reference where
 * one exists. The title carries the figure and its interval; the caption the item count.
 */
import { useEffect } from 'react';
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { formatValue } from '../../engine/api';
import { chartTheme, cssVar, useEChart } from './use-echart';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** A named curve of (x, y) points. */
export interface StudySeries {
  name: string;
  points: [number, number][];
  /** Drawn as steps (precision-recall). */
  step?: boolean;
}

/** See the module comment. */
export function StudyChart({
  id,
  title,
  caption,
  xName,
  yName,
  series,
  diagonal,
  marker,
}: {
  id: string;
  title: string;
  caption: string;
  xName: string;
  yName: string;
  series: StudySeries[];
  /** Name of the y = x reference line (chance, perfect calibration), when drawn. */
  diagonal?: string;
  /** A point to mark (the operating point), with its name. */
  marker?: { name: string; point: [number, number] };
}) {
  const { host, chart } = useEChart();

  useEffect(() => {
    const theme = chartTheme();
    const unit = (name: string) => ({
      ...theme.yAxis,
      scale: false,
      min: 0,
      max: 1,
      name,
      nameLocation: 'middle' as const,
      nameGap: 22,
      nameTextStyle: theme.xAxis.nameTextStyle,
    });
    chart.current?.setOption(
      {
        animation: false,
        color: [cssVar('--chart-train') || '#2f6fd6', cssVar('--chart-val') || '#e07b24'],
        grid: { left: 40, right: 12, top: 26, bottom: 34 },
        legend: theme.legend,
        tooltip: {
          trigger: 'item',
          className: 'chart-tooltip',
          formatter: (p: { seriesName: string; value: [number, number] }) =>
            `${p.seriesName}: ${xName} ${formatValue(p.value[0])}, ${yName} ${formatValue(p.value[1])}`,
        },
        xAxis: unit(xName),
        yAxis: unit(yName),
        series: [
          ...series.map((s) => ({
            type: 'line',
            name: s.name,
            showSymbol: false,
            ...(s.step ? { step: 'end' } : {}),
            data: s.points,
          })),
          ...(diagonal
            ? [
                {
                  type: 'line',
                  name: diagonal,
                  showSymbol: false,
                  silent: true,
                  lineStyle: { type: 'dashed', color: cssVar('--border') || '#bbb' },
                  data: [
                    [0, 0],
                    [1, 1],
                  ],
                },
              ]
            : []),
          ...(marker
            ? [
                {
                  type: 'scatter',
                  name: marker.name,
                  symbolSize: 9,
                  itemStyle: { color: cssVar('--text') || '#222' },
                  data: [marker.point],
                },
              ]
            : []),
        ],
      },
      { notMerge: true },
    );
  }, [series, diagonal, marker, xName, yName]);

  return (
    <figure className="chart-card study-chart" data-testid={id}>
      <figcaption>{title}</figcaption>
      <div
        className="chart"
        ref={host}
        role="img"
        aria-label={`${title}: ${series.map((s) => `${s.name}, ${s.points.length} points`).join('; ')}`}
      />
      <p className="muted chart-note">{caption}</p>
    </figure>
  );
}
