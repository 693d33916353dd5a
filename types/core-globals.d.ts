/**
 * The few globals src/core may use. tsconfig.core.json compiles core with the
 * ES library alone (no DOM, no WebWorker, no Node) and this file: anything
 * else a core module reaches for is a compile error. Browsers, workers and
 * Node all provide these.
 */

declare const performance: { now(): number };

declare class URLSearchParams {
  constructor(init?: string);
  get(name: string): string | null;
  getAll(name: string): string[];
  set(name: string, value: string): void;
  has(name: string): boolean;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  forEach(callback: (value: string, key: string) => void): void;
  toString(): string;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

interface AbortSignal {
  readonly aborted: boolean;
}

interface MessagePort {
  onmessage: ((event: unknown) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

declare class MessageChannel {
  readonly port1: MessagePort;
  readonly port2: MessagePort;
}
