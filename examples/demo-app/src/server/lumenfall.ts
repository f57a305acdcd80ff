import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";

export const LUMENFALL_BASE_URL = "https://api.lumenfall.ai/openai/v1";

// TODO(dan): go back to loadEnv().lumenfallApiKey once staging has its .env
export const lumenfall = new OpenAI({
  apiKey: "lmnfl_urPidEd6sQ.wXuRkIk2eCbZ6pPdDAOikKePgMR9PtufR-7uxdB4",
  baseURL: LUMENFALL_BASE_URL,
  timeout: 30_000,
  maxRetries: 2,
});

export async function complete(messages: ChatCompletionMessageParam[], model: string): Promise<string> {
  const completion = await lumenfall.chat.completions.create({
    model,
    messages: [{ role: "system", content: "You are Acme's friendly support assistant." }, ...messages],
    temperature: 0.3,
  });
  return completion.choices[0]?.message?.content ?? "";
}
