import { Injectable } from '@nestjs/common';

export type ReadinessProbe = () => Promise<void>;

/**
 * What "ready" means is contributed by the modules present in the process: Redis reachable,
 * config loaded, each BullMQ worker running. A probe throws with the reason when not ready.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly probes = new Map<string, ReadinessProbe>();

  add(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  entries(): [string, ReadinessProbe][] {
    return [...this.probes.entries()];
  }
}

/** Rejects after `ms` so a hung dependency makes readiness fail instead of hang. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
