import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce';

/** A fake clock and timers, and questions answered by hand. */
function harness(minIntervalMs = 0) {
  let time = 0;
  const timers: { at: number; callback: () => void }[] = [];
  const asked: number[] = [];
  const answers: ((reply: string) => void)[] = [];
  const delivered: [string, number][] = [];
  const coalescer = coalesce<number, string>(
    (args) => {
      asked.push(args);
      return new Promise((resolve) => answers.push(resolve));
    },
    (reply, args) => delivered.push([reply, args]),
    {
      minIntervalMs,
      now: () => time,
      setTimer: (callback, ms) => {
        const timer = { at: time + ms, callback };
        timers.push(timer);
        return timer;
      },
      clearTimer: (timer) => timers.splice(timers.indexOf(timer as never), 1),
    },
  );
  const advance = async (ms: number) => {
    time += ms;
    for (const timer of timers.filter((t) => t.at <= time)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.callback();
    }
    await Promise.resolve();
  };
  const answer = async (reply: string) => {
    answers.shift()!(reply);
    // Let the reply's then() run.
    for (let i = 0; i < 3; i++) await Promise.resolve();
  };
  return { coalescer, asked, delivered, advance, answer, timers };
}

describe('coalesce', () => {
  it('asks at once when idle, and sends only the newest of those asked while busy', async () => {
    const { coalescer, asked, delivered, answer } = harness();
    coalescer.request(1);
    coalescer.request(2);
    coalescer.request(3);
    expect(asked).toEqual([1]);
    await answer('a');
    expect(delivered).toEqual([['a', 1]]);
    expect(asked).toEqual([1, 3]);
    await answer('c');
    expect(delivered).toEqual([['a', 1], ['c', 3]]);
  });

  it('waits out the minimum interval between two questions', async () => {
    const { coalescer, asked, advance, answer } = harness(100);
    coalescer.request(1);
    await answer('a');
    coalescer.request(2);
    expect(asked).toEqual([1]);
    await advance(60);
    expect(asked).toEqual([1]);
    await advance(40);
    expect(asked).toEqual([1, 2]);
  });

  it('delivers nothing and asks nothing once disposed', async () => {
    const { coalescer, asked, delivered, answer, timers } = harness(100);
    coalescer.request(1);
    coalescer.request(2);
    coalescer.dispose();
    await answer('a');
    expect(delivered).toEqual([]);
    expect(asked).toEqual([1]);
    expect(timers).toHaveLength(0);
  });
});
