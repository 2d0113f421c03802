/**
 * The chat input: Enter opens it, Enter sends, Escape (or an empty Enter) closes it.
 * While it is open the game reads no keys, so typing "wasd" does not walk.
 */
import { Limits } from '../../../protocol/index.ts';
import { show } from './dom.ts';

export class ChatBox {
  private openValue = false;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly input: HTMLInputElement,
    send: (text: string) => void,
    signal: AbortSignal,
  ) {
    input.maxLength = Limits.MAX_CHAT_LENGTH;
    show(form, false);
    window.addEventListener(
      'keydown',
      (ev) => {
        if (ev.key === 'Enter' && !this.openValue && !isTyping(ev.target)) {
          ev.preventDefault();
          this.open();
        } else if (ev.key === 'Escape' && this.openValue) {
          ev.preventDefault();
          this.close();
        }
      },
      { signal },
    );
    form.addEventListener(
      'submit',
      (ev) => {
        ev.preventDefault();
        const text = input.value;
        input.value = '';
        if (text.trim() !== '') send(text);
        this.close();
      },
      { signal },
    );
    input.addEventListener('blur', () => this.close(), { signal });
  }

  get isOpen(): boolean {
    return this.openValue;
  }

  open(): void {
    this.openValue = true;
    show(this.form, true);
    this.input.focus();
  }

  close(): void {
    if (!this.openValue) return;
    this.openValue = false;
    show(this.form, false);
    this.input.blur();
  }
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
}
