/**
 * A list of callbacks with an unsubscribe handle: the client's events are all this shape.
 * Per-message paths loop over `all` themselves: emit's rest parameter may allocate, and
 * a bot process delivers tens of thousands of messages a second.
 */
export class Listeners<A extends unknown[]> {
  private readonly list: ((...args: A) => void)[] = [];

  get size(): number {
    return this.list.length;
  }

  get all(): readonly ((...args: A) => void)[] {
    return this.list;
  }

  add(l: (...args: A) => void): () => void {
    this.list.push(l);
    return () => {
      const i = this.list.indexOf(l);
      if (i >= 0) this.list.splice(i, 1);
    };
  }

  emit(...args: A): void {
    for (const l of this.list) l(...args);
  }
}
