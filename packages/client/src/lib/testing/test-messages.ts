/** The SDK's message and event factories, for the client's unit tests. */
export * from "@tokencast/sdk/testing";
