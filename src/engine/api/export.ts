/**
 * The model-export part of the contract (docs/export.md, "In the workbench"):
 * what a trained network node can be exported as (with the engine's reason
 * where an option cannot be had), the export itself, and the values of the
 * project's "Inference runtime" setting.
 */
import { z } from 'zod';

/** The formats a network exports to: ONNX, or TF.js layers format. */
export const EXPORT_FORMATS = ['onnx', 'tfjs'] as const;
/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The values of the "Inference runtime" setting: auto (ONNX Runtime when the network exports), tf.js, ONNX Runtime. */
export const INFERENCE_RUNTIMES = ['auto', 'tfjs', 'onnx'] as const;
/** One of {@link INFERENCE_RUNTIMES}. */
export type InferenceRuntime = (typeof INFERENCE_RUNTIMES)[number];
/** See {@link INFERENCE_RUNTIMES}. */
export const InferenceRuntimeSchema = z.enum(INFERENCE_RUNTIMES);

/** Whether an export option can be had; `reason` is the engine's sentence when it cannot. */
export interface ExportOption {
  ok: boolean;
  reason?: string;
}

/** What the node's trained network can be exported as (`getExportOptions`). */
export interface ExportOptions {
  /** ONNX at all (every layer has an operator). */
  onnx: ExportOption;
  /** ONNX with the preprocessing chain and the input scaling inside the graph. */
  withPreprocessing: ExportOption;
  /** ... taking raw images of any size. */
  anySize: ExportOption;
  /** Set when the node holds a Sample RUN's model: the items it trained on. */
  fromSample?: number;
}

/** What an export wrote (`exportModel`). */
export interface ExportedModel {
  format: ExportFormat;
  /** The folder written into (absolute). */
  folder: string;
  /** The files written, the manifest last. */
  files: string[];
  /** The manifest's absolute path. */
  manifest: string;
  preprocessingInGraph: boolean;
  /** The input's shape, `null` for a free axis. */
  inputShape: (number | null)[];
  /** Set when the weights are a Sample RUN's: the items they trained on. */
  fromSample?: number;
}

/** Request params of the export methods, keyed by method name (spread into `EngineRequests`). */
export const ExportRequests = {
  getExportOptions: z.object({ node: z.string().min(1) }),
  exportModel: z
    .object({
      node: z.string().min(1),
      format: z.enum(EXPORT_FORMATS),
      withPreprocessing: z.boolean().default(false),
      anySize: z.boolean().default(false),
      /** The destination folder (absolute, or relative to the project's folder); made when missing. */
      folder: z.string().trim().min(1).max(4096),
    })
    .refine((r) => !r.withPreprocessing || r.format === 'onnx', {
      message: 'the preprocessing goes inside an ONNX graph only: choose ONNX',
    })
    .refine((r) => !r.anySize || r.withPreprocessing, {
      message: 'any input size goes with the preprocessing inside the graph',
    }),
};

/** Result types of the export methods. */
export interface ExportResults {
  getExportOptions: ExportOptions;
  exportModel: ExportedModel;
}
