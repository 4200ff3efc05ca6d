/**
 * The attribute conventions normalize-span understands, in precedence order: where two set the
 * same field, the earlier one wins (docs/normalization.md). Adding a dialect is one new file in
 * this folder implementing AttributeConvention and one line here (docs/contributing.md).
 */
import type { AttributeConvention } from '../attribute-convention';
import { genAiConvention } from './gen-ai';
import { honeyHiveConvention } from './honeyhive';
import { openInferenceConvention } from './openinference';
import { traceloopConvention } from './traceloop';

export const CONVENTIONS: readonly AttributeConvention[] = [
  honeyHiveConvention,
  genAiConvention,
  openInferenceConvention,
  traceloopConvention,
];
