// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { COPIED_FEEDBACK_MS, addCodeCopyButtons, onCodeCopyClick } from "./code-copy.ts";
import { renderMarkdown } from "./markdown.ts";

function rendered(markdown: string): HTMLDivElement {
  const box = document.createElement("div");
  box.innerHTML = renderMarkdown(markdown);
  addCodeCopyButtons(box);
  return box;
}

function clickOn(target: Element): MouseEvent {
  const event = new MouseEvent("click", { bubbles: true });
  Object.defineProperty(event, "target", { value: target });
  return event;
}

afterEach(() => vi.useRealTimers());

describe("code copy buttons", () => {
  it("gives each code block one labelled button, also when run again", () => {
    const box = rendered("```js\nconst a = 1;\n```\n\ntext\n\n```\nplain\n```");
    addCodeCopyButtons(box);
    const buttons = box.querySelectorAll("pre > button.code-copy");
    expect(buttons).toHaveLength(2);
    expect(buttons[0]?.getAttribute("aria-label")).toBe("Copy code");
  });

  it("copies the block's code (not the button's label) and says so, then reads Copy again", async () => {
    vi.useFakeTimers();
    const box = rendered("```js\nconst a = 1;\nconsole.log(a);\n```\n\n```\nsecond\n```");
    const copied: string[] = [];
    const button = box.querySelectorAll("button.code-copy")[1]!;
    await onCodeCopyClick(clickOn(button), async (text) => (copied.push(text), true));
    expect(copied).toEqual(["second"]);
    expect(button.textContent).toBe("Copied");
    vi.advanceTimersByTime(COPIED_FEEDBACK_MS);
    expect(button.textContent).toBe("Copy");
    await onCodeCopyClick(clickOn(box.querySelector("button.code-copy")!), async (text) => (copied.push(text), true));
    expect(copied[1]).toBe("const a = 1;\nconsole.log(a);");
  });

  it("tells when the clipboard refused, and ignores clicks elsewhere", async () => {
    const box = rendered("```\nx\n```\n\nplain text");
    const refused = vi.fn(async () => false);
    await onCodeCopyClick(clickOn(box.querySelector("p")!), refused);
    expect(refused).not.toHaveBeenCalled();
    const button = box.querySelector("button.code-copy")!;
    await onCodeCopyClick(clickOn(button), refused);
    expect(button.textContent).toMatch(/failed/);
  });
});
