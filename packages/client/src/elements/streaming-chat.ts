/**
 * Entry of the embeddable bundle (`/embed/streaming-chat.js`): importing it defines
 * `<streaming-chat>`. Safe to load twice (the second definition is skipped).
 */
import { StreamingChatElement } from "./streaming-chat-element.ts";

export const TAG_NAME = "streaming-chat";

if (!customElements.get(TAG_NAME)) customElements.define(TAG_NAME, StreamingChatElement);

export { StreamingChatElement };
