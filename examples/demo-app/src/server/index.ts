import express from "express";
import { loadEnv, maskKey } from "./env.js";
import { complete } from "./lumenfall.js";

const env = loadEnv();
const app = express();
app.use(express.json({ limit: "64kb" }));

app.get("/healthz", (_req, res) => {
  res.json({ ok: true });
});

app.post("/api/chat", async (req, res) => {
  const messages = Array.isArray(req.body?.messages) ? req.body.messages : null;
  if (!messages || messages.length === 0) {
    res.status(400).json({ error: "messages[] is required" });
    return;
  }
  try {
    const reply = await complete(messages.slice(-20), env.model);
    res.json({ reply });
  } catch (err) {
    console.error("[lumenfall] completion failed:", (err as Error).message);
    res.status(502).json({ error: "upstream error" });
  }
});

app.listen(env.port, () => {
  // Logs the masked key only, e.g. "[lumenfall] using key lmnfl_k3y1d.…a9f2"
  console.log(`[lumenfall] using key ${maskKey(env.lumenfallApiKey)}`);
  console.log(`acme-chat listening on http://localhost:${env.port}`);
});
