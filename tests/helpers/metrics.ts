/** Reading a node's /metrics (Prometheus text format). */

/** The value of a sample, e.g. `answers_total{status="done"}` (prefix tokencast_ added); 0 when absent. */
export function sample(text: string, name: string, labels = ""): number {
  const wanted = `tokencast_${name}${labels ? `{${labels}}` : ""}`;
  const line = text.split("\n").find((l) => l.startsWith(`${wanted} `));
  return line ? Number(line.slice(wanted.length + 1)) : 0;
}
