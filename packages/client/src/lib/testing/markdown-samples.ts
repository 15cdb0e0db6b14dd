/**
 * Markdown the way models write it, for the rendering tests and the benchmark: headings (ATX and
 * setext), tight and loose lists with code inside items, fences with blank lines inside (also
 * tilde and unknown-language ones), tables, quotes, rules, reference links, raw HTML, task lists.
 */
export const MODEL_ANSWER = `## Streaming answers, explained

The server reads the upstream **SSE** stream and forwards each delta to every viewer in the room.
Here is what happens, step by step:

1. The asker sends \`chat:send\` with the question.
2. The owner node opens the upstream request:
   \`\`\`ts
   const response = await fetch(url, { method: "POST", body });

   for await (const chunk of response.body) parse(chunk);
   \`\`\`
3. Each delta is appended to the log and broadcast.

- tight item one
- tight item *two* with a [link](https://example.com "title")
  - nested item
  - another nested item

- loose item after a blank line

Setext heading
--------------

| Option | Default | Meaning |
| :--- | :---: | ---: |
| \`COALESCE_MS\` | 25 | batching window |
| \`LLM_MAX_CONCURRENT\` | 4 | upstream slots |

> A quote with a list:
> - quoted item
> - another

\`\`\`python
def fib(n):
    a, b = 0, 1


    for _ in range(n):
        a, b = b, a + b
    return a
\`\`\`

~~~
plain fence, no language <b>not bold</b>
~~~

\`\`\`unknownlang
some code in a language nobody registered
\`\`\`

    indented code block

    still the same block

Inline <span onclick="x()">html</span> and a bare URL https://example.org/path.
Line one with a hard break  
line two. See [the guide][guide] and ![an image](https://example.com/a.png).

- [x] task done
- [ ] task open

***

Last paragraph with \`code\`, _emphasis_ and ~~strike~~.

[guide]: https://example.com/guide "The guide"
`;

/**
 * A long answer (about `minChars` characters) made of numbered copies of MODEL_ANSWER. The
 * reference-style link becomes an inline one: models rarely write link definitions, and a new
 * definition makes the incremental renderer start over (see streaming-markdown.ts).
 */
export function longAnswer(minChars: number): string {
  const section = MODEL_ANSWER.replace("[the guide][guide]", "[the guide](https://example.com/guide)").replace(
    /\n\[guide\]: .*\n$/,
    "\n",
  );
  const parts: string[] = [];
  for (let part = 1; parts.join("\n").length < minChars; part += 1) {
    parts.push(section.replace("## Streaming answers", `## Part ${part}: streaming answers`));
  }
  return parts.join("\n");
}

/** A seeded pseudo-random generator (mulberry32): numbers in [0, 1), the same ones for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Splits `text` into deltas of `min`–`max` characters, the same ones for the same `seed`. */
export function splitIntoDeltas(text: string, min: number, max: number, seed = 1): string[] {
  const random = seededRandom(seed);
  const deltas: string[] = [];
  for (let at = 0; at < text.length;) {
    const size = min + Math.floor(random() * (max - min + 1));
    deltas.push(text.slice(at, at + size));
    at += size;
  }
  return deltas;
}
