/**
 * The study report as ONE self-contained HTML file (docs/metrics.md, "Evaluation runs and
 * the report"): inline CSS, charts as inline SVG, no reference to anything outside it, laid
 * out to print on A4. Sections: model card, data, preprocessing, network, training, test
 * and external evaluations with intervals, calibration, operating point, subgroups, limitations,
 * software, and a TRIPOD+AI / CLAIM checklist whose items only a person can give are blanks.
 */
import { basename } from 'node:path';
import { curveSvg, prSvg, reliabilitySvg, rocSvg } from './charts';
import {
  countsText,
  figureRows,
  formatInterval,
  formatValue,
  operatingText,
  overallScope,
  SMALL_SUBGROUP_CLASS_ITEMS,
  subgroupColumns,
  subgroupRows,
  sortVolumeRows,
  volumeFigureColumns,
  volumeFiguresHeading,
  formatVolumeFigure,
  type EpochMetrics,
  type EvaluationHistory,
  type EvaluationRecord,
  type VolumeFigureRow,
  measuredFigureRows,
  measuredScope,
  type MeasuredEvaluationRecord,
} from '../api';
import type { NetworkReport, ReportInput } from './input';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const e = escapeHtml;
const BLANK = '<span class="blank">to be filled in</span>';

const CSS = `
body{font:10.5pt/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2733;margin:0 auto;max-width:190mm;padding:12mm}
h1{font-size:18pt;margin:0 0 2mm}h2{font-size:13pt;border-bottom:1px solid #c9d1db;margin:8mm 0 3mm;padding-bottom:1mm}
h3{font-size:11pt;margin:5mm 0 2mm}table{border-collapse:collapse;margin:2mm 0;font-size:9.5pt}
th,td{border:1px solid #c9d1db;padding:1mm 2mm;text-align:left;vertical-align:top}th{background:#eef2f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.nowrap{white-space:nowrap}.subgroups table{font-size:8.5pt}.muted{color:#5b6775}.blank{display:inline-block;min-width:60mm;border-bottom:1px dotted #5b6775;color:#8a95a3;font-style:italic}
.charts{display:flex;flex-wrap:wrap;gap:4mm}figure{margin:0;break-inside:avoid}figcaption{font-size:9pt;color:#5b6775}
section{break-inside:auto}table,figure{break-inside:avoid}code{font-size:9pt}
@page{size:A4;margin:12mm}@media print{body{padding:0;max-width:none}h2{break-after:avoid}}
`;

function table(head: string[], rows: string[][], label: string): string {
  return `<table aria-label="${e(label)}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const td = (text: string, num = false): string => `<td${num ? ' class="num"' : ''}>${text}</td>`;

function paramsTable(params: Record<string, unknown>, label: string): string {
  const rows = Object.entries(params).map(([k, v]) => [td(`<code>${e(k)}</code>`), td(e(JSON.stringify(v)))]);
  return rows.length ? table(['parameter', 'value'], rows, label) : '<p class="muted">No parameters.</p>';
}

function evaluationSection(record: EvaluationRecord, id: string, heading: string, intro: string): string {
  const figures = figureRows(record);
  const where = `${record.items} items`;
  const names = record.classes;
  return `<section id="${id}"><h2>${heading}</h2>
<p>${intro} ${e(countsText(names, record.items, record.counts))}. Overall figures: ${e(overallScope(record))}. Intervals: 95%, stratified bootstrap of ${record.study.settings.bootstrap} resamples (seed ${record.study.settings.seed}) unless noted.</p>
${table(
  ['figure', 'value', '95% interval', 'items'],
  figures.map((f) => [
    td(e(f.label)),
    td(formatValue(f.value), true),
    td(`${formatInterval(f.interval)}${f.note ? ` (${e(f.note)})` : ''}`),
    td(String(record.items), true),
  ]),
  `${heading}: figures`,
)}
<h3 id="${id}-operating">Operating point</h3>
${operatingText(record)
  .map((line) => `<p>${e(line)}</p>`)
  .join('')}
${table(
  ['true \\ predicted', ...names.map((n) => e(n))],
  record.confusion.map((row, i) => [
    `<th>${e(names[i])}</th>`,
    ...row.map((count) => td(String(count), true)),
  ]),
  `${heading}: confusion matrix`,
)}
<p class="muted">Confusion matrix: ${e(record.confusionRule)}.</p>
<h3 id="${id}-curves">ROC, precision-recall and calibration</h3>
<div class="charts">
<figure>${rocSvg(record)}<figcaption>ROC (${where}); AUC ${formatValue(figures[0].value)} ${formatInterval(figures[0].interval)}; the dot is the operating point.</figcaption></figure>
<figure>${prSvg(record)}<figcaption>Precision-recall (${where}).</figcaption></figure>
<figure id="${id}-calibration">${reliabilitySvg(record)}<figcaption>Reliability diagram (${where}): observed frequency per bin of predicted probability.</figcaption></figure>
</div>${subgroupSection(record, id, heading)}</section>`;
}

/** The figures per subgroup of each attribute the items record, small groups flagged. */
function subgroupSection(record: EvaluationRecord, id: string, heading: string): string {
  const rows = subgroupRows(record);
  if (!rows.length)
    return `<h3 id="${id}-subgroups">Subgroups</h3><p class="muted">None: the items record no manufacturer, model, sex or age, and the node names no subgroup file.</p>`;
  const columns = subgroupColumns(record);
  return `<h3 id="${id}-subgroups">Subgroups</h3>
<p>Each group's figures are computed on its items alone, at the evaluation's threshold (not re-chosen per group). Groups with fewer than ${SMALL_SUBGROUP_CLASS_ITEMS} items of some class are marked <em>small</em>: their intervals are wide.</p>
<div class="subgroups">${table(
    [
      'subgroup',
      `items <span class="muted">(${record.classes.map(e).join(' / ')})</span>`,
      ...columns.map((c) => `${e(c.label)} <span class="muted">[95% interval]</span>`),
    ],
    rows.map((row) => [
      td(`${e(row.attribute)}: ${e(row.value)}${row.small ? ' <em>(small)</em>' : ''}`),
      `<td class="num nowrap">${row.items} <span class="muted">(${row.perClassItems.join(' / ')})</span></td>`,
      ...row.figures.map(
        (f) => `<td class="num nowrap">${formatValue(f.value)} ${formatInterval(f.interval)}</td>`,
      ),
    ]),
    `${heading}: subgroups`,
  )}</div>`;
}

/** What a segmentation, transformation or detection test table was measured on, in words. */
const GEOMETRY_TEXT = {
  source:
    "in the source geometry: each prediction mapped back to its source image through the chain's recorded geometry and compared with the dataset's own target",
  network: "on the network's grid (after the chain's resizing), not against the source images",
} as const;

/**
 * The test split's figures of each volume, worst first by the first figure. Volumes are numbered
 * by rank, not named: the report reproduces no file or item name.
 */
function volumeFiguresTable(
  rows: VolumeFigureRow[],
  classes: string[],
  run: string | undefined,
  scope = 'Test split',
  section = 'Test split evaluation',
): string {
  const columns = volumeFigureColumns(rows, classes);
  if (!columns.length) return '';
  return `<h3>${e(volumeFiguresHeading(rows, run, scope))}</h3>
<p>Each volume measured on its own, worst ${e(columns[0].label)} first; volumes are numbered by that rank, their names not being reproduced here.</p>
${table(
  ['volume', ...columns.map((c) => e(c.label))],
  sortVolumeRows(rows, columns[0]).map((row, rank) => [
    td(String(rank + 1), true),
    ...columns.map((c) => td(formatVolumeFigure(row.figures[c.key]), true)),
  ]),
  `${section}: figures per volume`,
)}`;
}

/** The figures of a segmentation or transformation node, a row per class of each per-class figure. */
function measuredFiguresTable(metrics: EpochMetrics, classes: string[], label: string): string {
  return table(
    ['figure', 'value'],
    measuredFigureRows(metrics, classes).map((f) => [td(e(f.label)), td(formatValue(f.value), true)]),
    label,
  );
}

/** An external folder measured in the source geometry (segmentation, transformation). */
function measuredSection(record: MeasuredEvaluationRecord, id: string, heading: string): string {
  return `<section id="${id}"><h2>${e(heading)}</h2>
<p>The labelled folder <code>${e(basename(record.dataset))}</code>, evaluated with the trained model on ${e(record.createdAt.slice(0, 10))}: ${e(measuredScope({ ...record, dataset: basename(record.dataset) }))}. No interval is computed for these figures.</p>
${measuredFiguresTable(record.metrics, record.classes, `${heading}: figures`)}${record.volumes ? volumeFiguresTable(record.volumes, record.classes, record.runId, `External folder ${basename(record.dataset)}`, heading) : ''}</section>`;
}

/** The test table of a node without a classifier's study (segmentation, transformation, detection). */
function testMetricsSection(n: NetworkReport, id: string): string {
  const test = n.metrics.test;
  if (!test)
    return `<section id="${id}"><h2>Test split evaluation</h2><p class="muted">No test evaluation: train the network on a dataset with a test split.</p></section>`;
  const classes = n.metrics.classes;
  return `<section id="${id}"><h2>Test split evaluation</h2>
<p>The held-out test split${test.items !== undefined ? ` of ${test.items} items` : ''}, with the best checkpoint; figures ${test.geometry ? GEOMETRY_TEXT[test.geometry] : "as the trainer measured them, on the network's grid"}. No interval is computed for these figures.</p>
${measuredFiguresTable(test.metrics, classes, 'Test split evaluation: figures')}${test.volumes ? volumeFiguresTable(test.volumes, classes, test.run) : ''}</section>`;
}

function networkSection(n: NetworkReport, index: number, intendedUse: string): string {
  const prefix = `n${index}`;
  const d = n.dataset;
  const summary = d?.summary;
  const splitNames = ['train', 'validation', 'test'] as const;
  const data = summary
    ? `${table(
        ['class', ...splitNames, 'total'],
        [
          ...summary.perClass.map((c) => [
            td(e(c.class)),
            ...splitNames.map((s) => td(String(c[s]), true)),
            td(String(c.total), true),
          ]),
          [
            '<th>all</th>',
            ...splitNames.map((s) => td(String(summary.splits[s]), true)),
            td(String(splitNames.reduce((a, s) => a + summary.splits[s], 0)), true),
          ],
        ],
        'Items per class and split',
      )}
<p>Layout: ${e(summary.layout)}; formats: ${e(summary.formats.join(', ') || '—')}; modalities: ${e(summary.modalities.join(', ') || '—')}; labels: ${e(summary.labelSource)}; split: ${e(summary.splitSource ?? 'computed from the percentages')}${summary.splitByPatient ? ', each patient within one split' : ''}${summary.patients !== null ? `; ${summary.patients} patients` : ''}.</p>
<p>Dataset fingerprint (files, sizes, modification times, layout and split settings): <code>${e(d?.fingerprint ?? '—')}</code>. No file name is reproduced here.</p>`
    : d?.unreadable
      ? '<p class="muted">The dataset folder could not be read when this report was written.</p>'
      : '<p class="muted">No dataset node feeds this network.</p>';
  const rows = n.metrics.epochs;
  const keys = [
    ...new Set(
      rows.flatMap((r) =>
        Object.entries(r.metrics)
          .filter(([, v]) => !Array.isArray(v))
          .map(([k]) => k),
      ),
    ),
  ];
  const series = (key: string, split: 'train' | 'validation'): [number, number | null][] =>
    rows
      .filter((r) => r.split === split)
      .map((r) => [r.epoch, typeof r.metrics[key] === 'number' ? (r.metrics[key] as number) : null]);
  const training = rows.length
    ? `<div class="charts">${keys
        .map((k) => `<figure>${curveSvg(k, series(k, 'train'), series(k, 'validation'))}</figure>`)
        .join(
          '',
        )}</div><p>${rows.filter((r) => r.split === 'train').length} epochs (${n.metrics.run?.kind === 'sample' ? 'a Sample RUN' : 'a full run'}).</p>`
    : '<p class="muted">This network has not been trained.</p>';
  const test = n.evaluation.test;
  const external = n.evaluation.external;
  const measured = n.evaluation.measured ?? [];
  return `<section id="${prefix}"><h2>Model card: ${e(n.title)} <span class="muted">(node ${e(n.node)})</span></h2>
<table aria-label="Model card"><tbody>
<tr><th>Intended use</th><td>${intendedUse ? e(intendedUse) : BLANK}</td></tr>
<tr><th>Task</th><td>${e(String(n.params.task ?? summary?.task ?? '—'))}; classes: ${e((test?.classes ?? n.metrics.classes).join(', '))}</td></tr>
<tr><th>Model</th><td>${e(String(n.trained?.architecture ?? n.params.architecture ?? '—'))}; backend ${e(n.trained?.backend ?? '—')}; seed ${e(String(n.trained?.seed ?? n.params.seed ?? '—'))}</td></tr>
<tr><th>Reference standard</th><td>${BLANK}</td></tr>
<tr><th>Annotators</th><td>${BLANK}</td></tr>
<tr><th>Ethics approval</th><td>${BLANK}</td></tr>
</tbody></table></section>
<section id="${prefix}-data"><h2>Data</h2>${data}</section>
<section id="${prefix}-preprocessing"><h2>Preprocessing chain</h2>${
    n.chain.length
      ? n.chain
          .map(
            (s, i) =>
              `<h3>${i + 1}. ${e(s.title)} <span class="muted">(${e(s.node)})</span></h3>${paramsTable(s.params, `${s.title} parameters`)}`,
          )
          .join('')
      : '<p>None: the network reads the dataset as it is.</p>'
  }</section>
<section id="${prefix}-network"><h2>Network and hyper-parameters</h2>${paramsTable(n.params, 'Network parameters')}${
    n.trained ? `<p>Training key: <code>${e(n.trained.trainingKey.slice(0, 16))}</code>.</p>` : ''
  }</section>
<section id="${prefix}-training"><h2>Training curves</h2>${training}</section>
${
  test
    ? evaluationSection(
        test,
        `${prefix}-test`,
        'Test split evaluation',
        `The held-out test split, with the best checkpoint (run ${e(test.runId)}${test.model === 'sample' ? ', a Sample RUN' : ''}).`,
      )
    : testMetricsSection(n, `${prefix}-test`)
}
${
  measured.length
    ? measured
        .map((x, i) => measuredSection(x, `${prefix}-external-${i}`, `External validation ${i + 1}`))
        .join('')
    : external.length
      ? external
          .map((x, i) =>
            evaluationSection(
              x,
              `${prefix}-external-${i}`,
              `External validation ${i + 1}`,
              `The labelled folder <code>${e(basename(x.dataset ?? ''))}</code>, evaluated with the trained model on ${e(x.createdAt.slice(0, 10))}; the operating point is the one chosen on the training's validation split.`,
            ),
          )
          .join('')
      : `<section id="${prefix}-external-0"><h2>External validation</h2><p class="muted">None: <code>phi evaluate</code> evaluates the trained model on another labelled folder.</p></section>`
}`;
}

/** Whether the node has an external evaluation of any kind. */
function hasExternal(history: EvaluationHistory | undefined): boolean {
  return Boolean(history && (history.external.length || history.measured?.length));
}

/** The TRIPOD+AI / CLAIM items: where the report answers each, or a blank for a person. */
function checklist(prefix: string, hasExternal: boolean, intendedUse: string): string {
  const at = (id: string, text: string): string => `<a href="#${id}">${text}</a>`;
  const items: [string, string, string][] = [
    ['Title and model identification', 'TRIPOD+AI 1; CLAIM 1', at(prefix, 'Model card')],
    [
      'Intended use and clinical question',
      'TRIPOD+AI 3; CLAIM 3-4',
      intendedUse ? at(prefix, 'Model card') : BLANK,
    ],
    ['Source of data, sites and dates', 'TRIPOD+AI 5; CLAIM 7', BLANK],
    [
      'Eligibility and de-identification',
      'TRIPOD+AI 6; CLAIM 8-9',
      `${at(`${prefix}-data`, 'Data')} (counts and fingerprint only)`,
    ],
    ['Reference standard (ground truth)', 'TRIPOD+AI 8; CLAIM 14-17', BLANK],
    ['Annotators and their expertise', 'CLAIM 16-18', BLANK],
    ['Sample size and class balance per split', 'TRIPOD+AI 9; CLAIM 19', at(`${prefix}-data`, 'Data')],
    ['Data partitions', 'TRIPOD+AI 10; CLAIM 21', at(`${prefix}-data`, 'Data')],
    ['Data preprocessing', 'TRIPOD+AI 11; CLAIM 10', at(`${prefix}-preprocessing`, 'Preprocessing chain')],
    ['Model architecture', 'TRIPOD+AI 12; CLAIM 22', at(`${prefix}-network`, 'Network')],
    [
      'Training details and hyper-parameters',
      'TRIPOD+AI 12; CLAIM 24-25',
      at(`${prefix}-training`, 'Training curves'),
    ],
    [
      'Performance metrics with confidence intervals',
      'TRIPOD+AI 12, 23; CLAIM 28-29',
      at(`${prefix}-test`, 'Test split evaluation'),
    ],
    ['Calibration', 'TRIPOD+AI 12e, 23', at(`${prefix}-test-calibration`, 'Reliability diagram')],
    [
      'Operating point (threshold) and its choice',
      'TRIPOD+AI 12f; CLAIM 30',
      at(`${prefix}-test-operating`, 'Operating point'),
    ],
    ['Performance in subgroups', 'TRIPOD+AI 23b', at(`${prefix}-test-subgroups`, 'Subgroups')],
    [
      'External validation',
      'TRIPOD+AI 15; CLAIM 32',
      hasExternal ? at(`${prefix}-external-0`, 'External validation') : 'none yet',
    ],
    ['Explainability and its limits', 'CLAIM 31', at('limitations', 'Limitations')],
    ['Limitations', 'TRIPOD+AI 27; CLAIM 39', at('limitations', 'Limitations')],
    ['Software, versions and reproducibility', 'TRIPOD+AI 18; CLAIM 26', at('software', 'Software')],
    ['Ethics approval and consent', 'TRIPOD+AI 7; CLAIM 42', BLANK],
    ['Code and model availability', 'TRIPOD+AI 18f; CLAIM 41', BLANK],
  ];
  return `<section id="checklist"><h2>TRIPOD+AI / CLAIM checklist</h2>${table(
    ['item', 'guideline', 'where in this report'],
    items.map(([item, guide, where]) => [td(e(item)), td(e(guide)), td(where)]),
    'Reporting checklist',
  )}</section>`;
}

/** Renders the report; `intendedUse` fills the model card's field when given. */
export function renderReport(input: ReportInput, intendedUse = ''): string {
  const title = `Study report: ${input.project.name}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${CSS}</style></head><body>
<h1>${e(title)}</h1>
<p class="muted">Generated by Phi Studio ${e(input.software['Phi Studio'] ?? '')} on ${e(input.generatedAt.slice(0, 19).replace('T', ' '))} UTC. Project hash (SHA-256 of the nodes, their versions and parameters, and the edges): <code>${e(input.project.hash)}</code>.</p>
${input.networks.map((n, i) => networkSection(n, i + 1, intendedUse)).join('\n')}
<section id="limitations"><h2>Limitations</h2><ul>
<li>Figures describe the items evaluated here; intervals are 95% stratified-bootstrap percentiles (AUC also DeLong) and do not cover a change of population, scanner or protocol.</li>
<li>The operating point is chosen on the validation split and held fixed; its own uncertainty is not in the intervals.</li>
<li>Grad-CAM heatmaps in Phi Studio are a hint of where the network looked, not an explanation and not a segmentation.</li>
<li>Item-level figures treat images as independent; several images of one patient are correlated.</li>
<li>The items marked "to be filled in" can only be given by the people responsible for the study.</li>
</ul></section>
<section id="software"><h2>Software</h2>${table(
    ['component', 'version'],
    Object.entries(input.software).map(([k, v]) => [td(e(k)), td(e(v))]),
    'Software versions',
  )}</section>
${checklist('n1', hasExternal(input.networks[0]?.evaluation), intendedUse)}
</body></html>
`;
}
