/**
 * The part of ONNX's `onnx.proto` (IR version 8) that an exported network
 * uses, as a protobufjs reflection root: models, graphs, nodes, attributes,
 * tensors and value infos, with the field numbers of onnx.proto. Encoding is
 * protobufjs's; nothing here knows about layers.
 */
import protobuf from 'protobufjs';

/** ONNX TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** ONNX AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** An ONNX attribute (one of f, i, s, floats, ints set, as `type` says). */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

/** An ONNX node. */
export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: OnnxAttribute[];
}

/** An ONNX tensor (initializer); float data as little-endian `rawData`, int64 as `int64Data`. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  int64Data?: number[];
}

/** A graph input or output: float tensor with fixed or named (`dimParam`) axes. */
export interface OnnxValueInfo {
  name: string;
  type: {
    tensorType: {
      elemType: number;
      shape: { dim: ({ dimValue: number } | { dimParam: string })[] };
    };
  };
}

/** An ONNX model. */
export interface OnnxModel {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: {
    name: string;
    node: OnnxNode[];
    initializer: OnnxTensor[];
    input: OnnxValueInfo[];
    output: OnnxValueInfo[];
  };
  metadataProps: { key: string; value: string }[];
}

const field = (id: number, type: string, rule?: 'repeated'): protobuf.IField =>
  rule ? { id, type, rule } : { id, type };

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: field(1, 'string'),
            f: field(2, 'float'),
            i: field(3, 'int64'),
            s: field(4, 'bytes'),
            floats: field(7, 'float', 'repeated'),
            ints: field(8, 'int64', 'repeated'),
            type: field(20, 'int32'),
          },
        },
        NodeProto: {
          fields: {
            input: field(1, 'string', 'repeated'),
            output: field(2, 'string', 'repeated'),
            name: field(3, 'string'),
            opType: field(4, 'string'),
            attribute: field(5, 'AttributeProto', 'repeated'),
            domain: field(7, 'string'),
          },
        },
        TensorProto: {
          fields: {
            dims: field(1, 'int64', 'repeated'),
            dataType: field(2, 'int32'),
            int64Data: field(7, 'int64', 'repeated'),
            name: field(8, 'string'),
            rawData: field(9, 'bytes'),
          },
        },
        TensorShapeProto: {
          fields: { dim: field(1, 'Dimension', 'repeated') },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: field(1, 'int64'), dimParam: field(2, 'string') },
            },
          },
        },
        TypeProto: {
          fields: { tensorType: field(1, 'Tensor') },
          nested: {
            Tensor: {
              fields: { elemType: field(1, 'int32'), shape: field(2, 'TensorShapeProto') },
            },
          },
        },
        ValueInfoProto: {
          fields: { name: field(1, 'string'), type: field(2, 'TypeProto') },
        },
        GraphProto: {
          fields: {
            node: field(1, 'NodeProto', 'repeated'),
            name: field(2, 'string'),
            initializer: field(5, 'TensorProto', 'repeated'),
            input: field(11, 'ValueInfoProto', 'repeated'),
            output: field(12, 'ValueInfoProto', 'repeated'),
          },
        },
        OperatorSetIdProto: {
          fields: { domain: field(1, 'string'), version: field(2, 'int64') },
        },
        StringStringEntryProto: {
          fields: { key: field(1, 'string'), value: field(2, 'string') },
        },
        ModelProto: {
          fields: {
            irVersion: field(1, 'int64'),
            producerName: field(2, 'string'),
            producerVersion: field(3, 'string'),
            docString: field(6, 'string'),
            graph: field(7, 'GraphProto'),
            opsetImport: field(8, 'OperatorSetIdProto', 'repeated'),
            metadataProps: field(14, 'StringStringEntryProto', 'repeated'),
          },
        },
      },
    },
  },
});

const ModelProto = root.lookupType('onnx.ModelProto');

/** The model as ONNX protobuf bytes. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const problem = ModelProto.verify(model);
  if (problem) throw new Error(`ONNX model is malformed: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
