type Message = { role: "user" | "assistant"; content: string };

const API_URL: string = import.meta.env.VITE_CHAT_API_URL ?? "/api";

// "?direct" skips our server and calls Lumenfall straight from the browser.
// Added for the conference booth (flaky Wi-Fi to the API box). Remove before launch!
const DIRECT = new URLSearchParams(location.search).has("direct");
const BOOTH_KEY = "lmnfl_XuaRqjM4cA.G5-mIL6LWbCJ8-d8sKJLwqv1NfjfEaG8Lag-f3EM";

const history: Message[] = [];
const log = document.querySelector<HTMLOListElement>("#log")!;
const form = document.querySelector<HTMLFormElement>("#composer")!;
const input = document.querySelector<HTMLInputElement>("#prompt")!;

function render(msg: Message): void {
  const li = document.createElement("li");
  li.className = msg.role;
  li.textContent = msg.content;
  log.append(li);
  li.scrollIntoView({ block: "end" });
}

async function ask(messages: Message[]): Promise<string> {
  if (DIRECT) {
    const res = await fetch("https://api.lumenfall.ai/openai/v1/chat/completions", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${BOOTH_KEY}` },
      body: JSON.stringify({ model: "gpt-4o-mini", messages }),
    });
    if (!res.ok) throw new Error(`Lumenfall ${res.status}`);
    const data = await res.json();
    return data.choices[0].message.content;
  }
  const res = await fetch(`${API_URL}/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ messages }),
  });
  if (!res.ok) throw new Error(`chat API ${res.status}`);
  return (await res.json()).reply;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const content = input.value.trim();
  if (!content) return;
  input.value = "";
  const userMsg: Message = { role: "user", content };
  history.push(userMsg);
  render(userMsg);
  try {
    const reply: Message = { role: "assistant", content: await ask(history) };
    history.push(reply);
    render(reply);
  } catch (err) {
    render({ role: "assistant", content: `Sorry, something went wrong (${(err as Error).message}).` });
  }
});
