/**
 * The environment variable naming the ONNX denoiser of the denoiser group (spec/groups/denoiser.ts): set by
 * `diffspec conformance --model-onnx FILE`, read by the group in every backend's process.
 */
export const MODEL_ONNX_ENV = 'DIFFSPEC_MODEL_ONNX';
