import { describe, expect, it } from "vitest";
import { ConnectionVoters, VoterIds } from "./voter-ids.ts";

const ids = new VoterIds(async () => "deployment secret");
const tamper = (text: string, at: number) => text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);

describe("VoterIds", () => {
  it("issues a fresh signed id when none is presented, and believes it when presented again", async () => {
    const fresh = await ids.admit(undefined);
    expect(fresh.signed).toMatch(/^[\w-]{22}\.[\w-]{22}$/);
    expect(fresh.signed.startsWith(`${fresh.id}.`)).toBe(true);
    expect(await ids.admit(fresh.signed)).toEqual(fresh);
    expect(await new VoterIds(async () => "deployment secret").admit(fresh.signed)).toEqual(fresh);
    expect((await ids.admit(undefined)).id).not.toBe(fresh.id);
  });

  it("does not believe a forged, altered or foreign id: it issues a fresh one", async () => {
    const genuine = await ids.admit(undefined);
    const [id, mac] = genuine.signed.split(".") as [string, string];
    const elsewhere = await new VoterIds(async () => "another deployment").admit(undefined);
    const forged = [
      "",
      id,
      `${id}.`,
      `${id}.${"A".repeat(22)}`,
      `${tamper(id, 3)}.${mac}`,
      `${id}.${tamper(mac, 5)}`,
      `${id}.${mac}.extra`,
      `${id}.${mac}=`,
      elsewhere.signed,
      "x".repeat(500),
      `../${id}.${mac}`,
    ];
    for (const presented of forged) {
      const voter = await ids.admit(presented);
      expect(voter.id, presented).not.toBe(id);
      expect(voter.id).not.toBe(elsewhere.id);
      expect(await ids.admit(voter.signed)).toEqual(voter);
    }
  });

  it("signs and checks with the secret as it is now: after it changed, ids of the old one are not believed", async () => {
    let secret = "first secret";
    const rotating = new VoterIds(async () => secret);
    const old = await rotating.admit(undefined);
    expect(await rotating.admit(old.signed)).toEqual(old);
    secret = "second secret";
    expect((await rotating.admit(old.signed)).id).not.toBe(old.id);
    const fresh = await rotating.admit(undefined);
    expect(await new VoterIds(async () => "second secret").admit(fresh.signed)).toEqual(fresh);
  });
});

describe("ConnectionVoters", () => {
  it("fixes a connection's voter at its first join: later joins with other ids, genuine or forged, keep it", async () => {
    const voters = new ConnectionVoters(ids);
    const other = await ids.admit(undefined);
    const first = await voters.admit("c1", undefined);
    expect(voters.idOf("c1")).toBe(first.id);
    expect(await voters.admit("c1", other.signed)).toEqual(first);
    expect(await voters.admit("c1", "forged.id")).toEqual(first);
    expect(voters.idOf("c1")).toBe(first.id);
  });

  it("a new connection presenting a genuine id votes as that voter; forgotten connections start over", async () => {
    const voters = new ConnectionVoters(ids);
    const kept = await ids.admit(undefined);
    expect((await voters.admit("c2", kept.signed)).id).toBe(kept.id);
    expect(voters.idOf("never-joined")).toBe("connection:never-joined");
    voters.forget("c2");
    expect(voters.idOf("c2")).toBe("connection:c2");
  });

  it("concurrent first joins of one connection settle on one voter", async () => {
    const voters = new ConnectionVoters(ids);
    const [a, b] = await Promise.all([voters.admit("c3", undefined), voters.admit("c3", undefined)]);
    expect(a).toEqual(b);
    expect(voters.idOf("c3")).toBe(a.id);
  });
});
