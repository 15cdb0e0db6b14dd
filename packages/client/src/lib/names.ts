/** Display names: validated like the protocol's nameSchema, remembered in localStorage. */
import { hasVisibleText, nameSchema } from "@tokencast/protocol";

const STORAGE_KEY = "tokencast.name";

export type NameCheck = { ok: true; name: string } | { ok: false; message: string };

export function checkName(raw: string): NameCheck {
  const parsed = nameSchema.safeParse(raw);
  if (parsed.success) return { ok: true, name: parsed.data };
  if (!hasVisibleText(raw)) return { ok: false, message: "Please enter a name." };
  return { ok: false, message: parsed.error.issues[0]?.message ?? "That name cannot be used." };
}

export function loadName(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): string {
  try {
    return storage?.getItem(STORAGE_KEY) ?? "";
  } catch {
    // Storage can be disabled (privacy mode, sandboxed frame): no remembered name is fine.
    return "";
  }
}

export function saveName(name: string, storage: Pick<Storage, "setItem"> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(STORAGE_KEY, name);
  } catch {
    // Storage full or disabled: the name just is not remembered for next time.
  }
}
