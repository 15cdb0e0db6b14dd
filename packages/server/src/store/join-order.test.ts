import { expect, it } from "vitest";
import type { Member } from "@tokencast/protocol";
import { JoinOrder } from "./join-order.ts";

const member = (id: string, joinedAt: number): Member => ({ id, name: id, joinedAt, role: "viewer" });
const ids = (members: Member[]) => members.map((m) => m.id);

it("lists the first members in join order, and only as many as asked", () => {
  const order = new JoinOrder();
  for (let i = 1; i <= 5; i++) order.set(member(`m${i}`, i));
  expect(ids(order.first(3))).toEqual(["m1", "m2", "m3"]);
  expect(order.first(0)).toEqual([]);
  order.set(member("m2", 2)); // added again (restored): keeps its place
  order.set(member("m1", 9)); // joined again later: moves to the back
  expect(ids(order.first(10))).toEqual(["m2", "m3", "m4", "m5", "m1"]);
  order.delete("m3");
  expect(ids(order.first(10))).toEqual(["m2", "m4", "m5", "m1"]);
  expect(order.size).toBe(4);
});

it("a member arriving out of join order is still listed by join time", () => {
  const order = new JoinOrder();
  order.set(member("late", 20));
  order.set(member("early", 10));
  order.set(member("later", 30));
  expect(ids(order.first(2))).toEqual(["early", "late"]);
  expect(order.first(0)).toEqual([]);
  for (const id of ["late", "early", "later"]) order.delete(id);
  order.set(member("a", 1));
  order.set(member("b", 2));
  expect(ids(order.first(5))).toEqual(["a", "b"]);
});
