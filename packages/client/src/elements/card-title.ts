import type { RoomInfo } from "@tokencast/protocol";

/** What the embed's card calls itself before it knows the room, and in an ad-hoc room (whose title is its id). */
export const GENERIC_TITLE = "Live answers";

/** The card's title: a created room's title; never the room id, which is an address, not a name. */
export function cardTitle(room: RoomInfo | undefined): string {
  if (!room || (!room.owned && room.settings.title === room.id)) return GENERIC_TITLE;
  return room.settings.title;
}
