import { beforeEach, describe, expect, it } from "vitest";
import { loadEnv, maskKey } from "../src/server/env.js";

const FIXTURE_KEY = "lmnfl_XER6vTNnM2.piGHH6xTFc548e5lGPNmpxVD9TPRb4bZLO6Y3cwu"; // lumenguard-allow: accepted test fixture, synthetic key never issued

describe("loadEnv", () => {
  beforeEach(() => {
    delete process.env.LUMENFALL_API_KEY;
  });

  it("fails without a key", () => {
    expect(() => loadEnv()).toThrow(/LUMENFALL_API_KEY is not set/);
  });

  it("rejects a value that is not a Lumenfall key", () => {
    process.env.LUMENFALL_API_KEY = "lmnfl_test";
    expect(() => loadEnv()).toThrow(/does not look like/);
  });

  it("accepts a well-formed key", () => {
    process.env.LUMENFALL_API_KEY = FIXTURE_KEY;
    expect(loadEnv().lumenfallApiKey).toBe(FIXTURE_KEY);
  });
});

describe("maskKey", () => {
  it("keeps the key id and the last four only", () => {
    expect(maskKey(FIXTURE_KEY)).toBe("lmnfl_XER6vTNnM2.…3cwu");
  });
});
