import { InvalidModelOutputError, ModelInputRefusedError } from '../errors.js';

/** A tensor model's input row (e.g. featureVector()) and output row (e.g. class probabilities). */
export type TensorRow = readonly number[];

/** Rows as one flat row-major tensor [n, width]; a row of another width or a non-finite value refuses the input. */
export function packRows<T extends { [index: number]: number }>(
  rows: readonly TensorRow[],
  width: number | undefined,
  what: string,
  allocate: (length: number) => T,
): { data: T; width: number } {
  const d = width ?? rows[0]?.length ?? 0;
  const data = allocate(rows.length * d);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i]!;
    if (row.length !== d) throw new ModelInputRefusedError(`${what}: input ${i} has ${row.length} values; the model takes ${d}`);
    for (let j = 0; j < d; j += 1) {
      const v = row[j]!;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelInputRefusedError(`${what}: input ${i} has a non-finite value at column ${j} (${String(v)})`);
      data[i * d + j] = v;
    }
  }
  return { data, width: d };
}

/** A flat output tensor of shape [n] or [n, k] as n rows; anything else (or a non-finite value) is an invalid reply. */
export function unpackRows(data: ArrayLike<number | bigint>, shape: readonly number[], n: number, what: string): number[][] {
  if (shape[0] !== n || shape.length > 2) throw new InvalidModelOutputError(`${what}: output shape [${shape.join(', ')}] for ${n} inputs; expected [${n}] or [${n}, k]`);
  const k = shape.length === 2 ? shape[1]! : 1;
  if (data.length !== n * k) throw new InvalidModelOutputError(`${what}: output has ${data.length} values for shape [${shape.join(', ')}]`);
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i += 1) {
    const row = new Array<number>(k);
    for (let j = 0; j < k; j += 1) {
      const v = Number(data[i * k + j]);
      if (!Number.isFinite(v)) throw new InvalidModelOutputError(`${what}: output row ${i} has a non-finite value (${String(data[i * k + j])})`);
      row[j] = v;
    }
    rows[i] = row;
  }
  return rows;
}
