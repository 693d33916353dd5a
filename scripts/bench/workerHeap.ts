/**
 * Peak JS heap of a page's workers, sampled from outside through the Chrome
 * DevTools Protocol. Workers have no performance.memory (nor
 * measureUserAgentSpecificMemory), so the page's CDP session auto-attaches to
 * them (non-flattened, so Playwright's own session is untouched) and asks each
 * matching worker's isolate for Runtime.getHeapUsage every `intervalMs`. No
 * CDP domain is enabled in the worker (no debugger), so this costs it only a
 * short interrupt per sample.
 */
import type { CDPSession, Page } from '@playwright/test';

const REPLY_TIMEOUT_MS = 5_000;

export interface HeapPeak {
  peakBytes: number | null;
  samples: number;
}

export class WorkerHeapSampler {
  private readonly workers = new Map<string, string>();
  private readonly pending = new Map<number, (usedSize: number | null) => void>();
  private nextId = 1;
  private peak: number | null = null;
  private samples = 0;
  private running = false;
  private loop: Promise<void> | null = null;

  private constructor(private readonly cdp: CDPSession, private readonly intervalMs: number) {}

  static async attach(page: Page, matches: (url: string) => boolean, intervalMs = 100): Promise<WorkerHeapSampler> {
    const cdp = await page.context().newCDPSession(page);
    const sampler = new WorkerHeapSampler(cdp, intervalMs);
    cdp.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type === 'worker' && matches(event.targetInfo.url)) sampler.workers.set(event.sessionId, event.targetInfo.url);
    });
    cdp.on('Target.detachedFromTarget', (event) => {
      if (event.sessionId) sampler.workers.delete(event.sessionId);
    });
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as { id?: number; result?: { usedSize?: number } };
      if (message.id === undefined) return;
      const resolve = sampler.pending.get(message.id);
      sampler.pending.delete(message.id);
      resolve?.(typeof message.result?.usedSize === 'number' ? message.result.usedSize : null);
    });
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    return sampler;
  }

  private async sample(sessionId: string): Promise<number | null> {
    const id = this.nextId++;
    const reply = new Promise<number | null>((resolve) => {
      this.pending.set(id, resolve);
      setTimeout(() => {
        if (this.pending.delete(id)) resolve(null);
      }, REPLY_TIMEOUT_MS);
    });
    try {
      await this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) });
    } catch {
      this.pending.delete(id);
      return null; // the worker went away
    }
    return reply;
  }

  /**
   * Starts a fresh peak over the matching workers that attach from now on;
   * samples until stop(). Workers seen before are forgotten: each
   * measurement runs in a fresh worker, and one terminated earlier may not
   * have reported its detach yet (a sample it never answers would hold up
   * the others for REPLY_TIMEOUT_MS).
   */
  start(): void {
    this.workers.clear();
    this.peak = null;
    this.samples = 0;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const used = await Promise.all([...this.workers.keys()].map((sessionId) => this.sample(sessionId)));
        for (const bytes of used) {
          if (bytes !== null) {
            this.samples++;
            this.peak = Math.max(this.peak ?? 0, bytes);
          }
        }
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    })();
  }

  async stop(): Promise<HeapPeak> {
    this.running = false;
    await this.loop;
    this.loop = null;
    return { peakBytes: this.peak, samples: this.samples };
  }

  async detach(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.cdp.detach().catch(() => {});
  }
}
