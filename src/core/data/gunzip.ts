// gzip decompression with the standard DecompressionStream('gzip'), available
// globally in browsers, workers and Node >= 18. Failures (not gzip, corrupt,
// truncated) become DataFileError naming the file.

import { concatChunks } from './bytes';
import { DataFileError } from './idx';

// Minimal local types, so this file compiles under lib ES2022 alone as well as
// with DOM / WebWorker (no global declarations, nothing to clash with).
interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}
interface ByteWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
interface GzipDecompressor {
  readonly readable: { getReader(): ByteReader };
  readonly writable: { getWriter(): ByteWriter };
}
type DecompressorConstructor = new (format: 'gzip') => GzipDecompressor;

function hexStart(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Decompresses a whole gzip file held in memory. */
export async function gunzip(bytes: Uint8Array, fileName: string): Promise<Uint8Array> {
  const Decompressor = (globalThis as unknown as { DecompressionStream?: DecompressorConstructor })
    .DecompressionStream;
  if (typeof Decompressor !== 'function') {
    throw new DataFileError(fileName, 'cannot decompress: DecompressionStream is not available here');
  }
  if (bytes.byteLength < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    const looksIdx = bytes.byteLength >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 8;
    throw new DataFileError(
      fileName,
      bytes.byteLength === 0
        ? 'not gzip data: the file is empty'
        : `not gzip data (starts with ${hexStart(bytes)}, expected 1f 8b)` +
            (looksIdx ? ': it looks like an uncompressed IDX file' : ''),
    );
  }

  const stream = new Decompressor('gzip');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Write and read concurrently: awaiting the write first can deadlock on
  // backpressure once the output exceeds the stream's buffer.
  const writing = writer.write(bytes).then(() => writer.close());
  writing.catch(() => undefined); // surfaced below, after reading

  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value) {
        chunks.push(value);
        total += value.byteLength;
      }
    }
    await writing;
  } catch (error) {
    reader.cancel(error).catch(() => undefined);
    const why = error instanceof Error ? error.message : String(error);
    throw new DataFileError(fileName, `corrupt or truncated gzip data (${why})`);
  }

  // Always a fresh, plain Uint8Array at offset 0 (Node hands out Buffers).
  return concatChunks(chunks, total);
}
