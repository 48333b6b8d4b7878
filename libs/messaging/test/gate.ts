/** A promise the test settles itself: holds a set-up step in the window a stop() falls into. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
