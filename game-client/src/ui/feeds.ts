/**
 * The two scrolling text feeds of the HUD: the kill feed (who shot whom) and the chat
 * feed (chat lines, joins, leaves, notices). Every piece of text is set with
 * textContent: names and chat come from other people and are never parsed as markup.
 * Lines expire by the scene's clock (update(now)), not by timers of their own.
 */

export interface FeedPart {
  text: string;
  /** CSS class of the span: e.g. 'name', 'self', 'notice'. */
  cls?: string;
}

interface Line {
  el: HTMLLIElement;
  expires: number;
}

export class Feed {
  private readonly lines: Line[] = [];

  constructor(
    private readonly list: HTMLElement,
    private readonly maxLines: number,
    private readonly lifetimeMs: number,
  ) {
    list.replaceChildren();
  }

  add(parts: FeedPart[], now: number, cls?: string): void {
    const li = document.createElement('li');
    if (cls) li.className = cls;
    for (const p of parts) {
      const span = document.createElement('span');
      if (p.cls) span.className = p.cls;
      span.textContent = p.text;
      li.append(span);
    }
    this.list.append(li);
    this.lines.push({ el: li, expires: now + this.lifetimeMs });
    while (this.lines.length > this.maxLines) this.lines.shift()!.el.remove();
  }

  /** Remove lines past their time; fade those about to go. */
  update(now: number): void {
    while (this.lines.length > 0 && this.lines[0]!.expires <= now) this.lines.shift()!.el.remove();
    for (const l of this.lines) l.el.classList.toggle('fading', l.expires - now < 1000);
  }

  /** The lines' text, oldest first (for tests and screen readers alike). */
  texts(): string[] {
    return this.lines.map((l) => l.el.textContent ?? '');
  }

  clear(): void {
    for (const l of this.lines) l.el.remove();
    this.lines.length = 0;
  }
}
