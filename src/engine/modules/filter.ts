/** Filter: drop samples by label, size or metadata. */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';

/** The `filter` module. */
export const filterModule = defineModule({
  id: 'filter',
  version: 1,
  title: 'Filter',
  category: 'Data',
  description:
    'Keeps or drops samples that match a rule: label (class index in classIndices), size (width and height ' +
    'within the bounds) or metadata (String(meta[key]) equals value). action keep passes only matching samples; ' +
    'drop removes them.',
  params: z.object({
    by: z
      .enum(['label', 'size', 'metadata'])
      .default('label')
      .describe('What the rule looks at: label, size or metadata.'),
    action: z
      .enum(['keep', 'drop'])
      .default('keep')
      .describe('keep: pass matching samples only; drop: remove them.'),
    classIndices: z
      .array(z.number().int().min(0).max(100000))
      .default([])
      .describe('Class indices that match (label rule; multi-label samples match if any listed class is 1).'),
    minWidth: z
      .number()
      .int()
      .min(0)
      .max(100000)
      .default(0)
      .describe('Smallest matching width in pixels (0 to 100000; size rule).'),
    maxWidth: z
      .number()
      .int()
      .min(0)
      .max(100000)
      .default(100000)
      .describe('Largest matching width in pixels (0 to 100000; size rule).'),
    minHeight: z
      .number()
      .int()
      .min(0)
      .max(100000)
      .default(0)
      .describe('Smallest matching height in pixels (0 to 100000; size rule).'),
    maxHeight: z
      .number()
      .int()
      .min(0)
      .max(100000)
      .default(100000)
      .describe('Largest matching height in pixels (0 to 100000; size rule).'),
    key: z
      .string()
      .max(200)
      .default('')
      .describe('Metadata key, e.g. Modality or BodyPartExamined (metadata rule; text).'),
    value: z
      .string()
      .max(1000)
      .default('')
      .describe('Metadata value that matches, compared as text (metadata rule).'),
  }),
  run(sample, p) {
    let match: boolean;
    if (p.by === 'label') {
      const l = sample.label;
      match =
        l?.kind === 'class' &&
        (l.multi ? p.classIndices.some((c) => l.multi?.[c] === 1) : p.classIndices.includes(l.index));
    } else if (p.by === 'size') {
      const g = geometry(sample.image);
      match =
        g.width >= p.minWidth && g.width <= p.maxWidth && g.height >= p.minHeight && g.height <= p.maxHeight;
    } else {
      const v = sample.meta[p.key];
      match = v !== undefined && String(v) === p.value;
    }
    return match === (p.action === 'keep') ? sample : null;
  },
});
