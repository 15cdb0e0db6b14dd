/** Tells when an element is on screen (any part of it inside the viewport). */

/** Calls `onChange` with true/false as `element` enters and leaves the viewport. Returns the stop function. */
export function watchVisibility(element: Element, onChange: (visible: boolean) => void): () => void {
  const observer = new IntersectionObserver((entries) => {
    const latest = entries[entries.length - 1];
    if (latest) onChange(latest.isIntersecting);
  });
  observer.observe(element);
  return () => observer.disconnect();
}
