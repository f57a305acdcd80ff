#!/usr/bin/env bash
# Smoke test against the live Lumenfall API before a deploy.
set -euo pipefail

BASE_URL="${LUMENFALL_BASE_URL:-https://api.lumenfall.ai/openai/v1}"

echo "== models"
curl -fsS "$BASE_URL/models" \
  -H "Authorization: Bearer lmnfl_Y9zsNbErRl.evYy5ZGqbwAq7ALmkqwe5g7vOCUzUk-BTBT1uL7R" | head -c 400
echo

echo "== chat completion"
curl -fsS "$BASE_URL/chat/completions" \
  -H "Authorization: Bearer ${LUMENFALL_API_KEY}" \
  -H "Content-Type: application/json" \
  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"ping"}],"max_tokens":5}'
echo
