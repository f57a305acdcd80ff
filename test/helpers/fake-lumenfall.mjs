// An attacker's stand-in for api.lumenfall.ai, run inside a private network namespace by
// test/verify-netns.test.ts: an HTTPS server on 127.0.0.1:443 with a self-signed certificate,
// a plain TCP listener on 127.0.0.1:3128 posing as a proxy, and plain HTTP servers on
// 127.0.0.1:8080 and 127.0.0.2:8080 (which of the two a client reached shows whether it asked
// /etc/hosts for "localhost"). Everything it sees goes to stdout as one JSON object a line:
//   {"event":"ready"}                                    both listening
//   {"event":"request","authorization":"…","path":"…"}   an HTTPS request got through TLS
//   {"event":"tls-refused","code":"…"}                   a client aborted the TLS handshake
//   {"event":"proxy","firstLine":"…"}                    something connected to the proxy port
//   {"event":"plain","address":"127.0.0.x","authorization":"…"}  a request on port 8080
// Usage: node fake-lumenfall.mjs CERT.pem KEY.pem
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";

const [certFile, keyFile] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const api = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (request, response) => {
  say({ event: "request", authorization: request.headers.authorization ?? "", path: request.url ?? "" });
  response.writeHead(200, { "content-type": "application/json" });
  response.end('{"object":"list","data":[]}');
});
api.on("tlsClientError", (error) => say({ event: "tls-refused", code: error.code ?? "error" }));

const proxy = net.createServer((socket) => {
  socket.once("data", (chunk) => {
    say({ event: "proxy", firstLine: chunk.toString("latin1").split("\r\n")[0] });
    socket.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
  });
  socket.on("error", () => {});
});

const plain = (request, response) => {
  say({ event: "plain", address: request.socket.localAddress, authorization: request.headers.authorization ?? "" });
  response.writeHead(401, { "content-type": "application/json" });
  response.end('{"error":{"message":"no"}}');
};

let listening = 0;
const ready = () => ++listening === 4 && say({ event: "ready" });
api.listen(443, "127.0.0.1", ready);
proxy.listen(3128, "127.0.0.1", ready);
http.createServer(plain).listen(8080, "127.0.0.1", ready);
http.createServer(plain).listen(8080, "127.0.0.2", ready);
process.on("SIGTERM", () => process.exit(0));
