import "dotenv/config";

const KEY_SHAPE = /^lmnfl_[A-Za-z0-9_]{3,64}\.[A-Za-z0-9_-]{16,256}$/;

export interface ServerEnv {
  port: number;
  lumenfallApiKey: string;
  model: string;
}

export function loadEnv(): ServerEnv {
  const key = process.env.LUMENFALL_API_KEY;
  if (!key) {
    throw new Error(
      "LUMENFALL_API_KEY is not set. Copy .env.example to .env and paste a key from https://lumenfall.ai/app",
    );
  }
  if (!KEY_SHAPE.test(key)) {
    throw new Error("LUMENFALL_API_KEY does not look like lmnfl_<key_id>.<secret>");
  }
  return {
    port: Number(process.env.PORT ?? 3000),
    lumenfallApiKey: key,
    model: process.env.CHAT_MODEL ?? "gpt-4o-mini",
  };
}

/** The form the Lumenfall dashboard shows: lmnfl_<key_id>.…<last4> */
export function maskKey(key: string): string {
  const dot = key.indexOf(".");
  if (!key.startsWith("lmnfl_") || dot < 0) return "lmnfl_…";
  return `${key.slice(0, dot)}.…${key.slice(-4)}`;
}
