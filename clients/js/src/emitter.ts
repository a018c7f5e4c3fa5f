/** A function that removes the listener it came from. */
export type Unsubscribe = () => void;

/** A minimal typed event emitter: a listener's exception is rethrown asynchronously so it cannot break the client. */
export class Emitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  on<K extends keyof Events>(event: K, listener: Events[K]): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      call(listener as (...a: Parameters<Events[K]>) => void, args);
    }
  }

  has<K extends keyof Events>(event: K): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }
}

/** Calls an application callback; what it throws surfaces as an uncaught error instead of unwinding the client. */
export function call<A extends unknown[]>(fn: (...args: A) => unknown, args: A): void {
  try {
    const result = fn(...args);
    if (result instanceof Promise) result.catch(rethrow);
  } catch (e) {
    rethrow(e);
  }
}

export function rethrow(e: unknown): void {
  setTimeout(() => {
    throw e;
  });
}
