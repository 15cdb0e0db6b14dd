/** Time the rules read (`now`), moved only by the test. */
export class FakeClock {
  constructor(private at = 1_700_000_000_000) {}

  readonly now = (): number => this.at;

  advance(ms: number): void {
    this.at += ms;
  }
}
