/**
 * "Let others watch" beside a private room's code, for its creator: ticked, anyone with
 * the code can watch the room live (AllowWatching), through the link it shows.
 */
export function mountWatchPermission(parent: HTMLElement, roomCode: string, allow: (on: boolean) => boolean): () => void {
  const label = document.createElement('label');
  label.className = 'watch-permission';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.dataset.testid = 'allow-watching';
  const text = document.createElement('span');
  text.textContent = 'Let others watch';
  label.append(box, text);
  label.title = `Spectators join with ${watchLink(roomCode)}`;
  box.addEventListener('change', () => {
    if (!allow(box.checked)) box.checked = false;
  });
  parent.append(label);
  return () => label.remove();
}

/** The page that watches a room (the menu opens it: ?watch=CODE). */
export function watchLink(roomCode: string): string {
  const u = new URL(window.location.href);
  u.search = '';
  u.hash = '';
  u.searchParams.set('watch', roomCode);
  return u.href;
}
