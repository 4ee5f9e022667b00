/**
 * A fetal-head package whose network passes its own test vectors but misbehaves on live frames: its ONNX
 * graph is one Identity node (prob = image), and its manifest scales pixels by 2/255, so every pixel brighter
 * than mid-grey gives a "probability" over 1. Its test vectors are made from its own outputs (as the packaging
 * pipeline would make them) on their frames darkened to mid-grey at most, so every probability there lies in
 * [0, 1] and the installer accepts it; only the health window, on live frames, can tell.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RawManifest } from '../updates/fixtures.js';
import { replaceModelFile } from '../updates/fixtures.js';

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** One protobuf field: a number (varint) or bytes/string/sub-message (length-delimited). */
function field(no: number, value: number | string | Buffer): Buffer {
  if (typeof value === 'number') return Buffer.concat([varint(no << 3), varint(value)]);
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([varint((no << 3) | 2), varint(bytes.length), bytes]);
}

const msg = (...fields: Buffer[]): Buffer => Buffer.concat(fields);

/** ValueInfoProto of a float tensor with fixed dims. */
function floatTensor(name: string, dims: readonly number[]): Buffer {
  const shape = msg(...dims.map((d) => field(1, msg(field(1, d)))));
  return msg(field(1, name), field(2, msg(field(1, msg(field(1, 1 /* FLOAT */), field(2, shape))))));
}

/** ModelProto (IR 7, opset 13): `output = Identity(input)` (or another one-input element-wise `op`, e.g. Sqrt). */
export function identityOnnx(input: string, output: string, dims: readonly number[], op = 'Identity'): Buffer {
  const node = msg(field(1, input), field(2, output), field(3, 'identity'), field(4, op));
  const graph = msg(field(1, node), field(2, 'identity'), field(11, floatTensor(input, dims)), field(12, floatTensor(output, dims)));
  return msg(field(1, 7), field(2, 'sonoedge-test'), field(7, graph), field(8, msg(field(1, ''), field(2, 13))));
}

/** Edits a fetal-head folder (see `modelFolder`) into the identity model, test vectors remade from its outputs. */
export function makeIdentityModel(dir: string, m: RawManifest): void {
  identityModel(dir, m, true);
}

/** The same with the test vectors' own frames kept bright: "probabilities" up to 2 there too. */
export function makeBrightIdentityModel(dir: string, m: RawManifest): void {
  identityModel(dir, m, false);
}

/** A fetal-head model whose every output is NaN (prob = Sqrt(pixel/255 − 2)), test vectors as shipped. */
export function makeNanModel(dir: string, m: RawManifest): void {
  m.input.normalize = { scale: 1 / 255, mean: 2, std: 1 };
  const onnx = identityOnnx(m.input.name, m.outputs[0].name, m.input.shape, 'Sqrt');
  for (const f of m.files) replaceModelFile(dir, m, f.precision, onnx);
}

function identityModel(dir: string, m: RawManifest, darken: boolean): void {
  const scale = 2 / 255;
  m.input.normalize = { scale, mean: 0, std: 1 };
  const onnx = identityOnnx(m.input.name, m.outputs[0].name, m.input.shape);
  for (const f of m.files) replaceModelFile(dir, m, f.precision, onnx);
  const vectorsPath = join(dir, 'test-vectors', 'vectors.json');
  const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));
  for (const v of vectors.vectors) {
    const pixels = gunzipSync(readFileSync(join(dir, v.input))).map((p) => (darken ? p >> 1 : p));
    writeFileSync(join(dir, v.input), gzipSync(pixels));
    const out = v.outputs[m.outputs[0].name];
    let max = 0;
    for (const p of pixels) max = Math.max(max, p * scale);
    const u16 = Buffer.alloc(pixels.length * 2);
    for (let i = 0; i < pixels.length; i++) u16.writeUInt16LE(Math.round(((pixels[i]! * scale) / max) * 65535), i * 2);
    writeFileSync(join(dir, out.file), gzipSync(u16));
    out.min = 0;
    out.max = max;
  }
  vectors.reference = 'identity graph (prob = image), test build';
  writeFileSync(vectorsPath, JSON.stringify(vectors, null, 2));
}
