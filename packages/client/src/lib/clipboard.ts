/** Copies text to the clipboard. False when the browser refuses (permissions, insecure origin). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard access: the caller shows the text so it can be copied by hand.
    return false;
  }
}
