/**
 * The report's charts as inline SVG, drawn by ECharts' server-side SVG renderer: ROC with
 * the operating point, precision-recall, reliability diagram and training curves. The
 * SVG carries no namespace or link attribute, so the report names nothing outside itself.
 */
import * as echarts from 'echarts';
import type { EvaluationRecord } from '../api';

const WIDTH = 320;
const HEIGHT = 260;
const INK = '#1d2733';
const GRID_LINE = '#d5dbe3';
const SERIES = ['#2f6fd6', '#e07b24', '#2a9d6f', '#b03a8e'];

function render(option: echarts.EChartsCoreOption, width = WIDTH, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif', color: INK }, ...option });
    // Inline SVG in HTML needs no namespace declarations: they are the only URLs ECharts writes.
    return chart.renderToSVGString().replace(/\s+xmlns(:\w+)?="[^"]*"/g, '');
  } finally {
    chart.dispose();
  }
}

const unitAxis = (name: string) => ({
  type: 'value' as const,
  min: 0,
  max: 1,
  name,
  nameLocation: 'middle' as const,
  nameGap: 24,
  axisLine: { lineStyle: { color: INK } },
  splitLine: { lineStyle: { color: GRID_LINE } },
});

const frame = {
  grid: { left: 44, right: 14, top: 30, bottom: 40 },
  legend: { top: 0, textStyle: { fontSize: 10 } },
  color: SERIES,
};

/** ROC curves of the summary classes, the chance diagonal, and the operating point. */
export function rocSvg(record: EvaluationRecord): string {
  const op = record.study.operatingPoint?.classes;
  return render({
    ...frame,
    xAxis: unitAxis('1 - specificity'),
    yAxis: unitAxis('sensitivity'),
    series: [
      ...record.curves.map((c) => ({
        type: 'line',
        name: record.classes[c.classIndex],
        showSymbol: false,
        data: c.roc ? c.roc.fpr.map((x, i) => [x, c.roc!.tpr[i]]) : [],
      })),
      {
        type: 'line',
        name: 'chance',
        showSymbol: false,
        lineStyle: { type: 'dashed', color: GRID_LINE },
        data: [
          [0, 0],
          [1, 1],
        ],
      },
      ...(op?.length
        ? [
            {
              type: 'scatter',
              name: 'operating point',
              symbolSize: 9,
              itemStyle: { color: INK },
              data: op
                .filter((o) => o.sensitivity !== null && o.specificity !== null)
                .map((o) => [1 - (o.specificity as number), o.sensitivity]),
            },
          ]
        : []),
    ],
  });
}

/** Precision-recall curves of the summary classes. */
export function prSvg(record: EvaluationRecord): string {
  return render({
    ...frame,
    xAxis: unitAxis('recall'),
    yAxis: unitAxis('precision'),
    series: record.curves.map((c) => ({
      type: 'line',
      name: record.classes[c.classIndex],
      showSymbol: false,
      step: 'end',
      data: c.pr ? c.pr.recall.map((r, i) => [r, c.pr!.precision[i]]) : [],
    })),
  });
}

/** Reliability diagram of the overall ECE: observed frequency against mean confidence per bin. */
export function reliabilitySvg(record: EvaluationRecord): string {
  const bins = (record.study.reliability?.overall ?? []).filter((b) => b.count > 0);
  return render({
    ...frame,
    xAxis: unitAxis('mean predicted probability'),
    yAxis: unitAxis('observed frequency'),
    series: [
      {
        type: 'line',
        name: 'model',
        symbolSize: 6,
        data: bins.map((b) => [b.meanConfidence, b.observedFrequency]),
      },
      {
        type: 'line',
        name: 'perfect',
        showSymbol: false,
        lineStyle: { type: 'dashed', color: GRID_LINE },
        data: [
          [0, 0],
          [1, 1],
        ],
      },
    ],
  });
}

/** One training curve: train and validation values over epochs. */
export function curveSvg(
  title: string,
  train: [number, number | null][],
  validation: [number, number | null][],
): string {
  return render(
    {
      ...frame,
      title: { text: title, left: 'center', bottom: 0, textStyle: { fontSize: 11 } },
      grid: { left: 44, right: 14, top: 30, bottom: 44 },
      xAxis: {
        type: 'value',
        minInterval: 1,
        min: 'dataMin',
        max: 'dataMax',
        axisLine: { lineStyle: { color: INK } },
        splitLine: { show: false },
      },
      yAxis: { type: 'value', scale: true, splitLine: { lineStyle: { color: GRID_LINE } } },
      series: [
        { type: 'line', name: 'train', symbolSize: 4, data: train },
        { type: 'line', name: 'validation', symbolSize: 4, data: validation },
      ],
    },
    280,
    200,
  );
}
