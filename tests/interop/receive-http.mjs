// An HTTP server that decodes every request with the official JavaScript SDK's HTTP.toEvent and
// answers with what it read: 200 and { "events": [...] } when every event validates, 400 and
// { "error": ... } otherwise. Prints { "url": "http://127.0.0.1:<port>/" } on stdout once listening
// and runs until stdin closes or it is killed.
//
//   node receive-http.mjs [--port 0]
import { createServer } from "node:http";
import { HTTP } from "cloudevents";
import { options } from "./cli.mjs";

const settings = options({ port: { fallback: "0" } });

const server = createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) {
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  let answer;
  try {
    // The SDK reads text bodies (JSON) and passes others through; give it text unless the body
    // is declared binary.
    const contentType = request.headers["content-type"] ?? "";
    const decoded = HTTP.toEvent({
      headers: request.headers,
      body: contentType.startsWith("application/octet-stream") ? body : body.toString("utf8"),
    });
    const events = Array.isArray(decoded) ? decoded : [decoded];
    for (const event of events) {
      event.validate();
    }
    answer = { status: 200, json: { headers: request.headers, events: events.map((event) => event.toJSON()) } };
  } catch (error) {
    answer = {
      status: 400,
      json: { headers: request.headers, error: { name: error?.name, message: String(error?.message ?? error), errors: error?.errors?.map(String) } },
    };
  }
  response.writeHead(answer.status, { "content-type": "application/json" });
  response.end(JSON.stringify(answer.json));
});

server.listen(Number(settings.port), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/` })}\n`);
});
// The parent closes stdin to stop the server; this survives a parent that dies without killing us.
process.stdin.resume();
process.stdin.on("end", () => server.close(() => process.exit(0)));
process.stdin.on("close", () => server.close(() => process.exit(0)));
