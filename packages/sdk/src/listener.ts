/** Calls one listener; a listener that throws is reported and does not stop the others (or the room). */
export function callSafely<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (error) {
    console.error("A Tokencast room listener failed", error);
  }
}
