// The subset of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto) that diffspec writes: a ModelProto holding one
// graph of standard operators with static shapes, and reads back: the float initializers (weights) of a model
// exported elsewhere. Field numbers are the ones of onnx.proto; fields outside the subset are skipped when read.
import protobuf from 'protobufjs';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: repeated('OperatorSetIdProto', 8),
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: { type: 'string', id: 2 },
            initializer: repeated('TensorProto', 5),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: repeated('AttributeProto', 5),
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            ints: repeated('int64', 8),
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            dataType: { type: 'int32', id: 2 },
            floatData: repeated('float', 4),
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: {
          fields: { tensorType: { type: 'TensorTypeProto', id: 1 } },
        },
        TensorTypeProto: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: { fields: { dim: repeated('Dimension', 1) } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
      },
    },
  },
});
const ModelProto = root.lookupType('onnx.ModelProto');

/** The opset every generated graph imports, and the IR version that goes with it. */
const OPSET = 17;
const IR_VERSION = 8;

/** TensorProto.DataType values. */
const ELEMENT_TYPE = { float32: 1, int64: 7, bool: 9 } as const;
export type ElementType = keyof typeof ELEMENT_TYPE;

/** AttributeProto.AttributeType values of the kinds written here. */
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, INTS: 7 } as const;

/** An attribute value: a float (written with a fractional `f` marker), an integer, or a list of integers. */
export type AttributeValue = { f: number } | number | readonly number[];

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  output: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxValue {
  name: string;
  type: ElementType;
  /** Sizes; a string names a dimension fixed only when the model runs (a dynamic batch). */
  shape: readonly (number | string)[];
}

export interface OnnxInitializer extends OnnxValue {
  shape: readonly number[];
  data: Float32Array | BigInt64Array;
}

export interface OnnxGraph {
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
  initializers: readonly OnnxInitializer[];
}

function attribute(name: string, value: AttributeValue) {
  if (typeof value === 'number') return { name, i: value, type: ATTRIBUTE_TYPE.INT };
  if ('f' in value) return { name, f: value.f, type: ATTRIBUTE_TYPE.FLOAT };
  return { name, ints: [...value], type: ATTRIBUTE_TYPE.INTS };
}

const valueInfo = ({ name, type, shape }: OnnxValue) => ({
  name,
  type: {
    tensorType: {
      elemType: ELEMENT_TYPE[type],
      shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  },
});

/** Serialises a graph as an ONNX ModelProto (opset OPSET), ready for InferenceSession.create. */
export function encodeModel(graph: OnnxGraph, name: string): Uint8Array {
  const message = ModelProto.fromObject({
    irVersion: IR_VERSION,
    producerName: 'diffspec',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name,
      node: graph.nodes.map((n, i) => ({
        name: `${n.op}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: [n.output],
        attribute: Object.entries(n.attributes ?? {}).map(([key, value]) => attribute(key, value)),
      })),
      initializer: graph.initializers.map((t) => ({
        name: t.name,
        dims: t.shape,
        dataType: ELEMENT_TYPE[t.type],
        rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(message).finish();
}

interface DecodedTensor {
  name: string;
  dims: (number | { toNumber(): number })[];
  dataType: number;
  floatData: number[];
  rawData: Uint8Array;
}

/** The float32 initializers of an ONNX model (its weights), by name, with their shapes. */
export function floatInitializers(model: Uint8Array): Map<string, { shape: number[]; data: Float32Array }> {
  const decoded = ModelProto.toObject(ModelProto.decode(model), { defaults: true }) as {
    graph?: { initializer: DecodedTensor[] };
  };
  const result = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of decoded.graph?.initializer ?? []) {
    if (t.dataType !== ELEMENT_TYPE.float32) continue;
    const shape = t.dims.map((d) => (typeof d === 'number' ? d : d.toNumber()));
    const raw = t.rawData;
    // raw_data is little-endian; copied (protobufjs may hand out a view of a shared buffer) so the floats are aligned.
    const data = raw.length > 0 ? new Float32Array(new Uint8Array(raw).buffer) : Float32Array.from(t.floatData);
    result.set(t.name, { shape, data });
  }
  return result;
}
